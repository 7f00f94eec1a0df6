import { closeSync, constants, fchmodSync, openSync } from 'node:fs';
import { CHECK_MODES, NO_FOLLOW, assertOwnFile, fstatChecked, secretIoError } from './owner-only.js';

/** The files SQLite keeps beside a database in WAL mode (and in rollback mode). */
const COMPANIONS = ['', '-wal', '-shm', '-journal'] as const;

/** Never blocks on a FIFO planted in a file's place (it is refused once fstat shows what it is). */
const NON_BLOCK = constants.O_NONBLOCK ?? 0;

/** chmod 600 through the open descriptor, except on a read-only filesystem: there SQLite's own open reports SQLITE_READONLY. */
function tighten(fd: number, file: string): void {
  try {
    fchmodSync(fd, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EROFS') throw secretIoError(file, 'chmod 600', err);
  }
}

/** Opens `file` without following a symlink; undefined when it does not exist. */
function openNoFollow(file: string, create: boolean): number | undefined {
  const flags = create ? constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW : constants.O_RDONLY | NON_BLOCK | NO_FOLLOW;
  try {
    return openSync(file, flags, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !create) return undefined;
    if (code === 'EEXIST' && create) return openNoFollow(file, false);
    throw secretIoError(file, create ? 'create the database' : 'inspect', err);
  }
}

/**
 * Makes a SQLite database owner-only before SQLite opens it. SQLite creates a database with 0644 (less
 * the umask) and gives its -wal and -shm the database file's mode (os_unix.c, findCreateFileMode and
 * unixOpenSharedMemory), so a missing database file is created here, empty, 0600, and files left open
 * by older versions are tightened to 0600. Each file is opened without following links, checked on the
 * open descriptor (a swap after the check cannot redirect the chmod) and refused when it is a symlink,
 * a folder or another user's file.
 */
export function prepareOwnerOnlyDatabase(path: string): void {
  for (const suffix of COMPANIONS) {
    const file = `${path}${suffix}`;
    const fd = openNoFollow(file, suffix === '');
    if (fd === undefined) continue;
    try {
      const st = fstatChecked(fd, file);
      assertOwnFile(file, st);
      if (CHECK_MODES && st.mode & 0o077) tighten(fd, file);
    } finally {
      closeSync(fd);
    }
  }
}
