import { randomBytes } from 'node:crypto';
import { SealpostError } from '../errors/index.js';
import { loadOrCreateSecretFile, readSecretFile } from '../secret-files/index.js';
import { SEAL_ERRORS } from './errors.js';

/** Length of every local secret Sealpost keeps on disk (AES-256 department keys, the blind-index HMAC key). */
export const KEY_FILE_LENGTH = 32;

/**
 * Reads a 32-byte secret from `path`, creating it (random) when it does not exist and `create` is true.
 * The file handling (0600 in a 0700 folder, no symlinks, atomic first-creator-wins creation, the
 * `chmod` in every refusal) is shared/secret-files'; this adds the key's length, refusing a file of
 * the wrong size instead of replacing it (records sealed under it would be lost).
 */
export function loadOrCreateKeyFile(path: string, { create = true }: { create?: boolean } = {}): Buffer {
  const bytes = create ? loadOrCreateSecretFile(path, () => randomBytes(KEY_FILE_LENGTH)).bytes : readSecretFile(path);
  if (!bytes) {
    throw new SealpostError(SEAL_ERRORS.keyFileMissing, `key file ${path} does not exist; copy it from the ingest server's key folder (mode 0600)`, {
      details: { path },
    });
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
