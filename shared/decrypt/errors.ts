/** Stable codes for the errors the decryption library raises on purpose (a locked section is a result, not an error). */
export const DECRYPT_ERRORS = {
  /** The opener was closed (profile switched, console closing). */
  closed: 'SP_DECRYPT_CLOSED',
} as const;

export type DecryptErrorCode = (typeof DECRYPT_ERRORS)[keyof typeof DECRYPT_ERRORS];
