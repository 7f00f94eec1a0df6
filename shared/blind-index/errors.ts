/** Stable codes for the blind index's own errors. */
export const BLIND_INDEX_ERRORS = {
  /** The HMAC key is shorter than 32 bytes. */
  weakKey: 'SP_BLIND_INDEX_WEAK_KEY',
} as const;
