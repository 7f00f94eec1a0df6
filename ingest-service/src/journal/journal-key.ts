import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { loadOrCreateSecretFile } from '../../../shared/secret-files/index.js';
import { JOURNAL_ERRORS } from './errors.js';

/** Length of the journal key (AES-256). */
export const JOURNAL_KEY_BYTES = 32;

/** Where the journal key lives under the data directory. */
export function journalKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'journal.key');
}

/**
 * Reads the journal key, creating it on first start. The file rules (0600 in a 0700 folder, refused
 * rather than silently fixed when others could read it: it may already have leaked) are
 * shared/secret-files'; a key of the wrong length is refused, never replaced (entries sealed under
 * it would be lost).
 */
export function loadOrCreateJournalKey(path: string): Buffer {
  const { bytes } = loadOrCreateSecretFile(path, () => randomBytes(JOURNAL_KEY_BYTES));
  if (bytes.length !== JOURNAL_KEY_BYTES) {
    const length = bytes.length;
    bytes.fill(0);
    throw new SealpostError(
      JOURNAL_ERRORS.keyInvalid,
      `journal key ${path} holds ${length} bytes, expected ${JOURNAL_KEY_BYTES}; restore the original key file (entries encrypted under it cannot be read without it)`,
    );
  }
  return bytes;
}
