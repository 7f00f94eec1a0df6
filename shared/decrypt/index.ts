export type { EnvelopeOpener, LockReasonCode, LockedSection, OpenOptions, OpenSection, OpenedEnvelope, SectionResult, TamperCheck } from './types.js';
export { DECRYPT_ERRORS, type DecryptErrorCode } from './errors.js';
export { createProfileOpener, type ProfileOpener, type ProfileOpenerOptions } from './profile-opener.js';
export { listProfiles, parseIni, sharedFilePaths, type ProfileInfo, type ProfileKind } from './profiles.js';
export { profileCredentials, type ProfileCredentialsOptions } from './credentials.js';
export { checkOpenedSection } from './section-check.js';
export { LockError, lockForFailure, printableArn, type LockContext } from './lock-reason.js';
export { createLocalKeysOpener, type LocalKeysOpenerOptions } from './local-opener.js';
export { subjectKeyVerdict } from './subject-key-verdict.js';
