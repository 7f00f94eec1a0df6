import { constants, fstatSync, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { SealpostError } from '../errors/index.js';
import { SECRET_FILE_ERRORS } from './errors.js';

/** Modes are meaningless on Windows (ACLs instead): every check below is POSIX only. */
export const CHECK_MODES = process.platform !== 'win32';

/** O_NOFOLLOW where the platform has it: opening a secret never follows a planted symlink. */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/** An I/O failure on a secret file or folder, with its errno and the usual fix. */
export function secretIoError(path: string, action: string, err: unknown): SealpostError {
  const errno = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  if (errno === 'ELOOP') return notRegular(path, 'a symlink');
  return new SealpostError(SECRET_FILE_ERRORS.io, `could not ${action} ${path} (${errno}); check that the folder exists and is owned by the service user`, {
    cause: err,
    details: { path, errno },
  });
}

function notRegular(path: string, what: string): SealpostError {
  return new SealpostError(SECRET_FILE_ERRORS.notRegular, `${path} is ${what}, not a regular file; secrets are never read through links: put the file itself there`, {
    details: { path },
  });
}

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file (FIFO, socket or device)';
}

/**
 * Refuses a secret file that is not a regular file, not ours, or open to group or others, with the
 * `chmod` that fixes it. Called on the fstat of the OPEN descriptor, so a swap between check and read
 * cannot slip a different file in.
 */
export function assertOwnerOnlyFile(path: string, st: Stats): void {
  assertOwnFile(path, st);
  if (!CHECK_MODES) return;
  if (st.mode & 0o077) {
    throw new SealpostError(
      SECRET_FILE_ERRORS.permissions,
      `${path} is open to group or others (mode ${octal(st.mode)}); run: chmod 600 ${path}  (and consider it exposed: replace the secret if others could read it)`,
      { details: { path, mode: octal(st.mode) } },
    );
  }
}

/**
 * Refuses what is not a regular file of ours (whatever its mode): the part of the owner-only check that no chmod
 * fixes. Called on the fstat of an open descriptor.
 */
export function assertOwnFile(path: string, st: Stats): void {
  if (!st.isFile()) throw notRegular(path, kindOf(st));
  if (!CHECK_MODES) return;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new SealpostError(SECRET_FILE_ERRORS.owner, `${path} belongs to user id ${st.uid}, not to the user running Sealpost (${process.getuid()}); run: chown $(id -u) ${path}`, {
      details: { path, uid: st.uid },
    });
  }
}

/**
 * Refuses a folder of secrets (or the data dir) that group or others can enter, list or write, or that
 * is not ours, naming the `chmod` that fixes it. Follows a symlinked folder (a data dir on another disk
 * is normal) and checks what it points to. Checked on every start, not only when the folder is created.
 */
export function assertOwnerOnlyDir(dir: string): void {
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (err) {
    throw secretIoError(dir, 'inspect the folder', err);
  }
  if (!st.isDirectory()) {
    throw new SealpostError(SECRET_FILE_ERRORS.notRegular, `${dir} is not a folder`, { details: { path: dir } });
  }
  if (!CHECK_MODES) return;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new SealpostError(SECRET_FILE_ERRORS.owner, `folder ${dir} belongs to user id ${st.uid}, not to the user running Sealpost (${process.getuid()}); run: chown $(id -u) ${dir}`, {
      details: { path: dir, uid: st.uid },
    });
  }
  if (st.mode & 0o077) {
    throw new SealpostError(
      SECRET_FILE_ERRORS.permissions,
      `folder ${dir} is open to group or others (mode ${octal(st.mode)}); run: chmod 700 ${dir}`,
      { details: { path: dir, mode: octal(st.mode) } },
    );
  }
}

/** Creates `dir` (and parents) with mode 0700 when missing, then checks it is owner-only. */
export function ensureOwnerOnlyDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw secretIoError(dir, 'create the folder', err);
  }
  assertOwnerOnlyDir(dir);
}

/** lstat that answers undefined for a missing path (ENOENT) and a typed error otherwise. */
export function lstatIfPresent(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw secretIoError(path, 'inspect', err);
  }
}

/** fstat of an open descriptor, as a typed error on failure. */
export function fstatChecked(fd: number, path: string): Stats {
  try {
    return fstatSync(fd);
  } catch (err) {
    throw secretIoError(path, 'inspect', err);
  }
}
