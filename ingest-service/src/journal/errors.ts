import { SealpostError } from '../../../shared/errors/index.js';

/** Stable codes of the journal; callers branch on these, never on messages. */
export const JOURNAL_ERRORS = {
  /** The journal cannot write (disk full, read-only, I/O error): the sender must retry later (HTTP 503). */
  unavailable: 'SP_JOURNAL_UNAVAILABLE',
  /** The journal was closed (shutdown in progress): the sender must retry later (HTTP 503). */
  closed: 'SP_JOURNAL_CLOSED',
  /** The journal key file is not a 32-byte key. */
  keyInvalid: 'SP_JOURNAL_KEY_INVALID',
  /** The journal holds data encrypted under a key that is missing or different. */
  keyMismatch: 'SP_JOURNAL_KEY_MISMATCH',
  /** A payload did not authenticate (tampered, moved between rows, or another key). */
  decryptFailed: 'SP_JOURNAL_DECRYPT_FAILED',
  /** The journal database could not be opened or migrated. */
  openFailed: 'SP_JOURNAL_OPEN_FAILED',
  /** No dead letter with that id, or not in a state allowing the operation. */
  deadLetterNotFound: 'SP_DEAD_LETTER_NOT_FOUND',
  deadLetterResolved: 'SP_DEAD_LETTER_RESOLVED',
  /** Discarding a dead letter needs a stated reason (kept on the tombstone). */
  reasonRequired: 'SP_DEAD_LETTER_REASON_REQUIRED',
  /** An append was called with a malformed entry (a programming error, not a sender error). */
  badEntry: 'SP_JOURNAL_BAD_ENTRY',
} as const;

/** What SQLite said, in words an operator can act on; the SQLite code itself goes into details. */
function describeSqlite(code: string | undefined): string {
  if (!code) return 'write failed';
  if (code.startsWith('SQLITE_FULL')) return 'the disk is full';
  if (code.startsWith('SQLITE_READONLY')) return 'the journal is read-only';
  if (code.startsWith('SQLITE_IOERR')) return 'the disk reported an I/O error';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'the journal file cannot be opened';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'the journal is locked by another process';
  if (code.startsWith('SQLITE_CORRUPT')) return 'the journal file is corrupt';
  return 'write failed';
}

/** The sqlite error code of a better-sqlite3 error, if it is one. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * The one error every failed journal write becomes: 503 + retriable, so the HTTP layer answers the
 * sender "try again" and never 2xx without durability. At open it stops the service from starting.
 */
export function journalUnavailable(err: unknown, dbPath: string, phase: 'open' | 'write' = 'write'): SealpostError {
  if (err instanceof SealpostError && err.code === JOURNAL_ERRORS.unavailable) return err;
  const code = sqliteCode(err);
  const message =
    phase === 'open'
      ? `cannot open the journal ${dbPath} (${describeSqlite(code)}); the directory must be on a writable, durable disk`
      : `journal write failed (${describeSqlite(code)}); nothing was accepted, the sender should retry. Check free space and permissions of ${dbPath}`;
  return new SealpostError(JOURNAL_ERRORS.unavailable, message, {
    cause: err,
    retriable: true,
    status: 503,
    details: { sqliteCode: code ?? null },
  });
}
