import { chmodSync, closeSync, constants, openSync } from 'node:fs';
import { SealpostError } from '../errors/index.js';
import { SECRET_FILE_ERRORS } from './errors.js';
import { CHECK_MODES, NO_FOLLOW, lstatIfPresent, secretIoError } from './owner-only.js';

/** The files SQLite keeps beside a database in WAL mode (and in rollback mode). */
const COMPANIONS = ['', '-wal', '-shm', '-journal'] as const;

/** chmod 600, except on a read-only filesystem: there SQLite's own open reports SQLITE_READONLY, the clearer error. */
function tighten(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EROFS') throw secretIoError(file, 'chmod 600', err);
  }
}

/**
 * Makes a SQLite database owner-only before SQLite opens it. SQLite creates a database with 0644 (less
 * the umask) and gives its -wal and -shm the database file's mode (os_unix.c, findCreateFileMode and
 * unixOpenSharedMemory), so a missing database file is created here, empty, 0600, and files left open
 * by older versions are tightened to 0600. A symlink or folder in place of any of them is refused.
 */
export function prepareOwnerOnlyDatabase(path: string): void {
  if (!lstatIfPresent(path)) {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw secretIoError(path, 'create the database', err);
    }
  }
  for (const suffix of COMPANIONS) {
    const file = `${path}${suffix}`;
    const st = lstatIfPresent(file);
    if (!st) continue;
    if (!st.isFile()) throw new SealpostError(SECRET_FILE_ERRORS.notRegular, `${file} is not a regular file (a symlink?); move it away`, { details: { path: file } });
    if (CHECK_MODES && st.mode & 0o077) tighten(file);
  }
}
