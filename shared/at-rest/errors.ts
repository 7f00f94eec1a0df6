/** Codes of sealing at rest (shared/at-rest): callers may wrap them in their own capability's code. */
export const AT_REST_ERRORS = {
  /** The key is not 32 bytes (AES-256). */
  badKey: 'SP_AT_REST_BAD_KEY',
  /** A sealed value is too short or of an unknown format version. */
  badFormat: 'SP_AT_REST_BAD_FORMAT',
  /** A sealed value did not authenticate: another key, altered bytes, or moved to another row (additional data). */
  unauthentic: 'SP_AT_REST_UNAUTHENTIC',
} as const;
