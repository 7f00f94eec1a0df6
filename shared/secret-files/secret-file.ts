import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SealpostError } from '../errors/index.js';
import { SECRET_FILE_ERRORS } from './errors.js';
import { CHECK_MODES, NO_FOLLOW, assertOwnerOnlyFile, ensureOwnerOnlyDir, fstatChecked, secretIoError } from './owner-only.js';

/**
 * Reads a secret file, or undefined when it does not exist. Never follows a symlink (O_NOFOLLOW), never
 * blocks on a FIFO (O_NONBLOCK), and checks the OPEN file (fstat): regular, ours, mode 0600 or stricter.
 */
export function readSecretFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NO_FOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw secretIoError(path, 'read', err);
  }
  try {
    assertOwnerOnlyFile(path, fstatChecked(fd, path));
    try {
      return readFileSync(fd);
    } catch (err) {
      throw secretIoError(path, 'read', err);
    }
  } finally {
    closeSync(fd);
  }
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on folders; the file itself was synced */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` as a NEW file of mode 0600: a temporary file beside it (exclusive create, so
 * never through a planted link), synced, then renamed over `path` (an existing file's mode, owner or
 * link is never kept) or, with `replace: false`, linked in only if `path` does not exist yet: then two
 * processes starting together agree on one secret. Returns false when `replace: false` found one.
 * The folder is not checked here (an export goes wherever the user chose); secret folders use
 * ensureOwnerOnlyDir first.
 */
export function writeSecretFile(path: string, data: string | Uint8Array, { replace = true }: { replace?: boolean } = {}): boolean {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
  } catch (err) {
    throw secretIoError(path, 'create', err);
  }
  let created = true;
  try {
    try {
      if (CHECK_MODES) fchmodSync(fd, 0o600); // whatever the umask
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (replace) renameSync(tmp, path);
    else {
      try {
        linkSync(tmp, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        created = false; // someone else's file won: the caller reads theirs
      }
    }
  } catch (err) {
    throw err instanceof SealpostError ? err : secretIoError(path, 'write', err);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* renamed away already */
    }
  }
  syncDir(dir);
  return created;
}

/**
 * The one way Sealpost keeps a generated secret: read `path`; when missing, create it from `make()`
 * (mode 0600, in a 0700 folder, atomically, first creator wins) and read it back. Every read goes
 * through readSecretFile's checks, on every start. `createdNow` says this call made it.
 */
export function loadOrCreateSecretFile(path: string, make: () => Buffer): { bytes: Buffer; createdNow: boolean } {
  ensureOwnerOnlyDir(dirname(path));
  const existing = readSecretFile(path);
  if (existing) return { bytes: existing, createdNow: false };
  const fresh = make();
  let createdNow: boolean;
  try {
    createdNow = writeSecretFile(path, fresh, { replace: false });
  } finally {
    fresh.fill(0);
  }
  const bytes = readSecretFile(path);
  if (!bytes) throw new SealpostError(SECRET_FILE_ERRORS.io, `${path} vanished right after it was created; check nothing else manages that folder`, { details: { path } });
  return { bytes, createdNow };
}
