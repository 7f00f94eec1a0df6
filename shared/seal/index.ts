export type { SealInput, SectionSealer, SealerStats } from './types.js';
export { SEAL_ERRORS, type SealErrorCode } from './errors.js';
export {
  createSectionSealer,
  DEFAULT_MATERIALS_LIMITS,
  type FastSectionSealer,
  type MaterialsHooks,
  type MaterialsLimits,
  type SectionSealerOptions,
  type SectionSealerStats,
} from './section-sealer.js';
export { createMessageWriter, nextMessageId, SEAL_FRAME_LENGTH, SEAL_SUITE, SEAL_SUITE_ID, type MessageWriter } from './fast-message.js';
export { CountingKeyring } from './counting-keyring.js';
export { nativeSeal, nativeSealStatus, type NativeSeal } from './native-seal.js';
export { KEY_FILE_LENGTH, loadOrCreateKeyFile } from './key-file.js';
export { LOCAL_KEY_NAMESPACE, loadOrCreateLocalKey, localKeyring, localKeyringsFromPolicy, type DepartmentKeyrings } from './local-keys.js';
