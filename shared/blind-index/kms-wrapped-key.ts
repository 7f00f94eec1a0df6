import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, type KMS } from '@aws-sdk/client-kms';
import { SealpostError } from '../errors/index.js';
import { KMS_ERRORS, kmsSealError } from '../kms/errors.js';
import { ensureOwnerOnlyDir, writeSecretFile } from '../secret-files/index.js';

/** File (in the key folder) holding the KMS-wrapped blind-index key; never the key itself. */
export const WRAPPED_INDEX_KEY_FILE = 'blind-index.kms-wrapped.json';

/**
 * Encryption context of the wrapped key. Key policies grant unwrapping on this value, so a
 * department role (conditioned on sealpost:department) cannot unwrap it by accident.
 */
export const INDEX_KEY_CONTEXT = Object.freeze({ 'sealpost:purpose': 'blind-index' });

interface WrappedFile {
  format: 'sealpost.wrapped-key/1';
  /** The key id as configured (ARN or alias), to notice a configuration change. */
  keyId: string;
  /** The key ARN KMS reported. */
  keyArn: string;
  /** base64 CiphertextBlob of the 32-byte HMAC key. */
  ciphertext: string;
  createdAt: string;
}

export interface KmsWrappedKeyOptions {
  /** KMS key (ARN or alias) that wraps the blind-index key: config `blindIndex.key.kms`. */
  keyId: string;
  /** Folder of the wrapped file (the service's `dataDir/keys`). */
  dir: string;
  /** A KMS client with the caller's identity (e.g. `createKmsClients(...).client`). */
  kms: Pick<KMS, 'send'>;
  /** Generate and store a key when none exists. Default true (the service); a reader passes false. */
  create?: boolean;
}

function fileError(path: string, message: string, cause?: unknown): SealpostError {
  return new SealpostError(KMS_ERRORS.wrappedKeyFile, `${path}: ${message}`, { cause, details: { path } });
}

/**
 * Read leniently (any mode, any path the console's operator picks): the file holds only a KMS
 * ciphertext, useless without kms:Decrypt. Written owner-only all the same (shared/secret-files).
 */
function readWrapped(path: string): WrappedFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, err);
  }
  let parsed: Partial<WrappedFile>;
  try {
    parsed = JSON.parse(text) as Partial<WrappedFile>;
  } catch (err) {
    throw fileError(path, 'is not JSON; restore it from backup (deleting it changes every blind index)', err);
  }
  if (parsed.format !== 'sealpost.wrapped-key/1' || typeof parsed.ciphertext !== 'string' || typeof parsed.keyId !== 'string') {
    throw fileError(path, 'is not a Sealpost wrapped key; restore it from backup (deleting it changes every blind index)');
  }
  return parsed as WrappedFile;
}

async function unwrap(kms: Pick<KMS, 'send'>, file: WrappedFile, path: string): Promise<Buffer> {
  let out;
  try {
    out = await kms.send(
      new DecryptCommand({ KeyId: file.keyArn || file.keyId, CiphertextBlob: Buffer.from(file.ciphertext, 'base64'), EncryptionContext: { ...INDEX_KEY_CONTEXT } }),
    );
  } catch (err) {
    throw kmsSealError(err, 'Decrypt (blind-index key)', file.keyArn || file.keyId);
  }
  const key = out.Plaintext;
  if (!key || key.byteLength !== 32) throw fileError(path, 'KMS returned no 32-byte key');
  const copy = Buffer.from(key);
  key.fill(0);
  return copy;
}

/**
 * The blind-index HMAC key, protected by KMS: generated once with GenerateDataKey, only the wrapped
 * blob is stored (`dir/blind-index.kms-wrapped.json`, 0600), and it is unwrapped with Decrypt at
 * start. So only principals allowed kms:Decrypt on the key (with context sealpost:purpose =
 * blind-index) can compute indexes, i.e. search by address. When the configured key changes, the
 * same HMAC key is re-wrapped under the new one (indexes stay valid) and the old blob is replaced.
 * KMS failures are retriable SealpostErrors (SP_KMS_*): the service waits, it does not start without the key.
 */
export async function loadOrCreateKmsWrappedIndexKey(opts: KmsWrappedKeyOptions): Promise<Buffer> {
  const path = join(opts.dir, WRAPPED_INDEX_KEY_FILE);
  const existing = readWrapped(path);
  if (existing) {
    const key = await unwrap(opts.kms, existing, path);
    if (existing.keyId !== opts.keyId && opts.create !== false) await rewrap(opts, key, path);
    return key;
  }
  if (opts.create === false) {
    throw fileError(path, 'missing: copy it from the ingest service key folder (it holds only the KMS-wrapped blind-index key)');
  }
  let out;
  try {
    out = await opts.kms.send(new GenerateDataKeyCommand({ KeyId: opts.keyId, KeySpec: 'AES_256', EncryptionContext: { ...INDEX_KEY_CONTEXT } }));
  } catch (err) {
    throw kmsSealError(err, 'GenerateDataKey (blind-index key)', opts.keyId);
  }
  if (!out.Plaintext || !out.CiphertextBlob || out.Plaintext.byteLength !== 32) throw fileError(path, 'KMS returned no 32-byte data key');
  const record: WrappedFile = {
    format: 'sealpost.wrapped-key/1',
    keyId: opts.keyId,
    keyArn: out.KeyId ?? opts.keyId,
    ciphertext: Buffer.from(out.CiphertextBlob).toString('base64'),
    createdAt: new Date().toISOString(),
  };
  const key = Buffer.from(out.Plaintext);
  out.Plaintext.fill(0);
  let created: boolean;
  try {
    ensureOwnerOnlyDir(opts.dir);
    created = writeSecretFile(path, JSON.stringify(record, null, 2) + '\n', { replace: false });
  } catch (err) {
    key.fill(0);
    throw err;
  }
  if (created) return key;
  // Another process created it first: use theirs, so every process computes the same indexes.
  key.fill(0);
  return loadOrCreateKmsWrappedIndexKey({ ...opts, create: false });
}

/** What a wrapped key file says about itself (no secret), so a reader can pick the KMS client for its key. */
export interface WrappedIndexKeyInfo {
  /** The key id as the service was configured with (ARN or alias). */
  keyId: string;
  /** The key ARN KMS reported when wrapping (empty in files that predate it). */
  keyArn: string;
}

/**
 * Reads a wrapped key file at any path (the console lets the operator choose it) without unwrapping it:
 * undefined when the file does not exist, SP_KMS_WRAPPED_KEY_FILE when it is not a wrapped key file.
 */
export function describeWrappedIndexKey(path: string): WrappedIndexKeyInfo | undefined {
  const file = readWrapped(path);
  return file ? { keyId: file.keyId, keyArn: file.keyArn ?? '' } : undefined;
}

/**
 * Unwraps the blind-index key of the wrapped file at `path` with the caller's KMS client (Decrypt with
 * the recorded key and the sealpost:purpose context), for readers: never creates or re-wraps. KMS
 * failures are SP_KMS_* errors whose `cause` is the SDK's error, for the caller to explain.
 */
export async function unwrapIndexKeyFile(path: string, kms: Pick<KMS, 'send'>): Promise<Buffer> {
  const file = readWrapped(path);
  if (!file) throw fileError(path, 'missing: copy it from the ingest service key folder (it holds only the KMS-wrapped blind-index key)');
  return unwrap(kms, file, path);
}

async function rewrap(opts: KmsWrappedKeyOptions, key: Buffer, path: string): Promise<void> {
  let out;
  try {
    out = await opts.kms.send(new EncryptCommand({ KeyId: opts.keyId, Plaintext: key, EncryptionContext: { ...INDEX_KEY_CONTEXT } }));
  } catch (err) {
    throw kmsSealError(err, 'Encrypt (re-wrap blind-index key)', opts.keyId);
  }
  if (!out.CiphertextBlob) throw fileError(path, 'KMS returned no ciphertext while re-wrapping');
  const record: WrappedFile = {
    format: 'sealpost.wrapped-key/1',
    keyId: opts.keyId,
    keyArn: out.KeyId ?? opts.keyId,
    ciphertext: Buffer.from(out.CiphertextBlob).toString('base64'),
    createdAt: new Date().toISOString(),
  };
  writeSecretFile(path, JSON.stringify(record, null, 2) + '\n');
}
