import type { KeyringNode, NodeMaterialsManager } from '@aws-crypto/material-management-node';
import { SealpostError } from '../errors/index.js';
import { SEAL_ERRORS } from './errors.js';
import type { NativeSeal } from './native-seal.js';

/**
 * How long one set of encryption materials (one data key; one KMS GenerateDataKey for KMS keys) is
 * used before the sealer asks the materials manager for new ones. Every message still gets its own
 * derived key and commitment (HKDF over a fresh 32-byte message id), as with the SDK's caching CMM;
 * these limits bound how much one data key protects, and how stale a key-policy change can be.
 */
export interface MaterialsLimits {
  /** Messages per materials. Default 100,000 (at 10,000 sections/s per department: one renewal per 10 s). */
  maxMessages: number;
  /** Age of materials in milliseconds. Default 60,000. */
  maxAgeMs: number;
  /** Plaintext bytes per materials. Default 1 GiB. A single larger section still gets fresh materials of its own. */
  maxBytes: number;
}

/** The defaults, chosen so a KMS department costs well under one KMS call per second at full load. */
export const DEFAULT_MATERIALS_LIMITS: Readonly<MaterialsLimits> = Object.freeze({
  maxMessages: 100_000,
  maxAgeMs: 60_000,
  maxBytes: 1024 * 1024 * 1024,
});

/** Given to `materialsFor` so the keyring calls it causes can be counted honestly. */
export interface MaterialsHooks {
  /**
   * Wrap the department's keyring with this before building the CMM around it; then
   * `stats().keyringCalls` counts exactly the calls that reach the keyring (KMS calls).
   */
  countKeyring(keyring: KeyringNode): KeyringNode;
}

/** What `createSectionSealer` needs. */
export interface SectionSealerOptions {
  /**
   * The materials manager (CMM) of a department, e.g. `new NodeDefaultCryptographicMaterialsManager(
   * hooks.countKeyring(keyring))` around a raw AES keyring (local keys) or a KMS keyring. A bare
   * KeyringNode is accepted too and wrapped in the default CMM (counted). Called once per department,
   * on first use; the result is kept for the sealer's life. Throwing a SealpostError passes it through
   * (e.g. an unknown department); any other throw becomes SP_SEAL_NO_MATERIALS_MANAGER.
   *
   * The sealer itself is the data-key cache on this path (see `limits`): it asks the CMM for
   * materials only when the ones it holds are spent, and never states a plaintext length, so a
   * NodeCachingMaterialsManager here passes every request to its keyring (its cache only serves
   * requests that state a length: cache-material caching_cryptographic_materials_decorators.js).
   * If `countKeyring` is not used for a department, each materials request is counted as a keyring
   * call (an upper bound).
   */
  materialsFor(department: string, hooks: MaterialsHooks): NodeMaterialsManager | KeyringNode;
  /** Per-materials limits; unspecified ones take DEFAULT_MATERIALS_LIMITS. */
  limits?: Partial<MaterialsLimits>;
  /** Clock in milliseconds (tests pass a fake one to age materials). */
  now?: () => number;
  /** The native sealing core (default: the built one, if any); null writes in JavaScript (tests prove both). */
  native?: NativeSeal | null;
}

/** The limits with defaults filled in, each a positive integer, else SP_SEAL_BAD_LIMITS. */
export function checkLimits(partial: Partial<MaterialsLimits> | undefined): MaterialsLimits {
  const limits = { ...DEFAULT_MATERIALS_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new SealpostError(SEAL_ERRORS.badLimits, `limits.${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
}

