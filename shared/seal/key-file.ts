import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SealpostError } from '../errors/index.js';
import { SEAL_ERRORS } from './errors.js';

/** Length of every local secret Sealpost keeps on disk (AES-256 department keys, the blind-index HMAC key). */
export const KEY_FILE_LENGTH = 32;

const checkModes = process.platform !== 'win32';

function ioError(path: string, action: string, err: unknown): SealpostError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  return new SealpostError(SEAL_ERRORS.keyFileIo, `could not ${action} key file ${path} (${code}); check that the folder exists and is owned by the service user`, {
    cause: err,
    details: { path, errno: code },
  });
}

/** Creates `dir` with mode 0700 if missing; refuses a folder others may write to (they could swap a key). */
function ensureKeyDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw ioError(dir, 'create the folder of', err);
  }
  if (!checkModes) return;
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o022) {
    throw new SealpostError(
      SEAL_ERRORS.keyFilePermissions,
      `key folder ${dir} is writable by group or others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 700 ${dir}`,
      { details: { path: dir, mode: mode.toString(8) } },
    );
  }
}

function readChecked(path: string): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw ioError(path, 'read', err);
  }
  const mode = st.mode & 0o777;
  if (checkModes && mode & 0o077) {
    throw new SealpostError(
      SEAL_ERRORS.keyFilePermissions,
      `key file ${path} is readable or writable by group or others (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `run: chmod 600 ${path}  (and consider the key exposed: rotate it if others could read it)`,
      { details: { path, mode: mode.toString(8) } },
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw ioError(path, 'read', err);
  }
  if (bytes.length !== KEY_FILE_LENGTH) {
    const length = bytes.length;
    bytes.fill(0);
    throw new SealpostError(
      SEAL_ERRORS.keyFileLength,
      `key file ${path} holds ${length} bytes, not ${KEY_FILE_LENGTH}; restore the right file from backup ` +
        '(deleting it makes a new key, and records sealed under the old one can no longer be opened)',
      { details: { path, length } },
    );
  }
  return bytes;
}

/**
 * Reads a 32-byte secret from `path`, creating it (random, mode 0600, in a 0700 folder) when it does
 * not exist and `create` is true. Refuses files others may read and files of the wrong length, with a
 * message that says how to fix it. Creation is atomic (temp file + link), so two processes starting
 * together agree on one key and nobody ever reads a half-written file.
 */
export function loadOrCreateKeyFile(path: string, { create = true }: { create?: boolean } = {}): Buffer {
  const dir = dirname(path);
  if (create) ensureKeyDir(dir);
  let exists = true;
  try {
    statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(path, 'read', err);
    exists = false;
  }
  if (!exists) {
    if (!create) {
      throw new SealpostError(SEAL_ERRORS.keyFileMissing, `key file ${path} does not exist; copy it from the ingest server's key folder (mode 0600)`, {
        details: { path },
      });
    }
    const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    const key = randomBytes(KEY_FILE_LENGTH);
    try {
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        writeSync(fd, key);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (checkModes) chmodSync(tmp, 0o600);
      try {
        linkSync(tmp, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // Someone else created it first: theirs wins, read it below.
      }
    } catch (err) {
      throw ioError(path, 'create', err);
    } finally {
      key.fill(0);
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
    try {
      const dfd = openSync(dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // fsync of a folder is not supported everywhere; the file itself is synced.
    }
  }
  return readChecked(path);
}
