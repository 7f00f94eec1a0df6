import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { JOURNAL_ERRORS } from './errors.js';

/** Length of the journal key (AES-256). */
export const JOURNAL_KEY_BYTES = 32;

/** Where the journal key lives under the data directory. */
export function journalKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'journal.key');
}

/**
 * Reads the journal key, creating it (random, mode 0600, in a 0700 folder) on first start. A key
 * readable by group or others is refused rather than silently fixed: it may already have leaked,
 * and the operator should know. Creation goes through a temporary file and link(), so a crash never
 * leaves a half-written key and two starting processes cannot create two different keys.
 */
export function loadOrCreateJournalKey(path: string): Buffer {
  const existing = readKeyIfPresent(path);
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(JOURNAL_KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  syncDir(dirname(path));
  const created = readKeyIfPresent(path);
  if (!created) throw new SealpostError(JOURNAL_ERRORS.keyInvalid, `journal key ${path} vanished right after it was created`);
  return created;
}

function readKeyIfPresent(path: string): Buffer | undefined {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!st.isFile()) {
    throw new SealpostError(JOURNAL_ERRORS.keyInvalid, `journal key ${path} is not a regular file`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new SealpostError(
      JOURNAL_ERRORS.keyPermissions,
      `journal key ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run "chmod 600 ${path}" after checking nobody copied it`,
      { details: { mode: (st.mode & 0o777).toString(8) } },
    );
  }
  const key = readFileSync(path);
  if (key.length !== JOURNAL_KEY_BYTES) {
    throw new SealpostError(
      JOURNAL_ERRORS.keyInvalid,
      `journal key ${path} holds ${key.length} bytes, expected ${JOURNAL_KEY_BYTES}; restore the original key file (entries encrypted under it cannot be read without it)`,
    );
  }
  return key;
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on directories; the key file itself was synced */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
