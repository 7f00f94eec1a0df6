/**
 * Codes of the owner-only file checks, one set for every secret Sealpost keeps on disk (department keys,
 * the journal key, the wrapped blind-index key, the local admin token, console state, exports), so an
 * operator meets the same code and the same fix whichever file it is.
 */
export const SECRET_FILE_ERRORS = {
  /** Group or others may read or write the file or its folder: it may already have leaked. */
  permissions: 'SP_SECRET_FILE_PERMISSIONS',
  /** The path is a symlink, a folder, a FIFO...: never followed, never trusted. */
  notRegular: 'SP_SECRET_FILE_NOT_REGULAR',
  /** The file or folder belongs to another user than the one running Sealpost. */
  owner: 'SP_SECRET_FILE_OWNER',
  /** The file could not be read or written (I/O error, missing folder, no permission). */
  io: 'SP_SECRET_FILE_IO',
} as const;
