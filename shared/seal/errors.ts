/**
 * Stable codes for the errors the sealing core raises on purpose. Callers branch on `code` and
 * `retriable`: a retriable error means "keep the events in the journal and try again later",
 * never "write them in clear".
 */
export const SEAL_ERRORS = {
  /** The department's materials manager could not produce key material (KMS away, throttled, denied). */
  materialsUnavailable: 'SP_SEAL_MATERIALS_UNAVAILABLE',
  /** The materials manager returned materials the fast path cannot write (wrong suite, signing key, no key). */
  unsupportedMaterials: 'SP_SEAL_UNSUPPORTED_MATERIALS',
  /** `materialsFor(department)` failed or returned something that is not a materials manager. */
  noMaterialsManager: 'SP_SEAL_NO_MATERIALS_MANAGER',
  /** A section's fields cannot be serialised to JSON (BigInt, cycles). */
  unsealableSection: 'SP_SEAL_UNSEALABLE_SECTION',
  /** The sealer was used after close(). */
  closed: 'SP_SEAL_CLOSED',
  /** Limits passed to createSectionSealer are out of range. */
  badLimits: 'SP_SEAL_BAD_LIMITS',
  /** A key file does not hold exactly 32 bytes. */
  keyFileLength: 'SP_SEAL_KEY_FILE_LENGTH',
  /** A key file is missing and creating one was not allowed (read-only use, e.g. the console). */
  keyFileMissing: 'SP_SEAL_KEY_FILE_MISSING',
  /** A local key name is not letters, digits, _ and - (it names a file). */
  badKeyName: 'SP_SEAL_BAD_KEY_NAME',
} as const;

export type SealErrorCode = (typeof SEAL_ERRORS)[keyof typeof SEAL_ERRORS];
