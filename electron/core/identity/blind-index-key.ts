import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createBlindIndexer, type BlindIndexer } from '../../../shared/blind-index/index.js';
import { WRAPPED_INDEX_KEY_FILE, describeWrappedIndexKey, unwrapIndexKeyFile, type WrappedIndexKeyInfo } from '../../../shared/blind-index/kms-wrapped-key.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { KEY_FILE_LENGTH, loadOrCreateKeyFile } from '../../../shared/seal/key-file.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { blindIndexUnwrapError } from './blind-index-errors.js';
import type { IdentityProvider } from './identity.js';
import { LOCAL_PROFILE } from './profile-identities.js';

/** Where the blind-index key comes from for one search. */
type KeySource = { kind: 'raw'; path: string } | { kind: 'wrapped'; path: string; info: WrappedIndexKeyInfo };

const RAW_KEY_FILE = 'blind-index.hmac.key';

function noKey(message: string, cause?: unknown): SealpostError {
  return new SealpostError(CONSOLE_ERRORS.noBlindIndexKey, message, { status: 400, ...(cause === undefined ? {} : { cause }) });
}

/** A wrapped file's description, or why it is not one (as an error the operator can act on). */
function wrappedSource(path: string): KeySource {
  let info: WrappedIndexKeyInfo | undefined;
  try {
    info = describeWrappedIndexKey(path);
  } catch (err) {
    throw noKey(`${path} is neither a 32-byte blind-index key (blind-index.hmac.key) nor a KMS-wrapped one (${WRAPPED_INDEX_KEY_FILE}): ${(err as Error).message}. Check the file in Settings.`, err);
  }
  if (!info) throw noKey(`The blind-index key file ${path} does not exist. Check the path in Settings.`);
  return { kind: 'wrapped', path, info };
}

/**
 * Which key file a search uses. The file chosen in Settings wins, told apart by its format (a raw key
 * is exactly 32 bytes; a wrapped key is JSON); else the local key folder's KMS-wrapped key, unless
 * the operator views as "local" and the folder also holds a raw key; else the raw key.
 */
function locate(paths: { blindIndexKeyFile: string | null; localKeysDir: string | null }, profile: string): KeySource {
  const chosen = paths.blindIndexKeyFile;
  if (chosen) {
    let size: number;
    try {
      size = statSync(chosen).size;
    } catch (err) {
      throw noKey(`The blind-index key file ${chosen} could not be read (${(err as NodeJS.ErrnoException).code ?? 'EIO'}). Check the path in Settings.`, err);
    }
    return size === KEY_FILE_LENGTH ? { kind: 'raw', path: chosen } : wrappedSource(chosen);
  }
  const dir = paths.localKeysDir;
  if (!dir) {
    throw noKey('Recipient search needs the blind-index key. In Settings, choose the local key folder (or the blind-index key file) of the ingest service.');
  }
  const wrapped = join(dir, WRAPPED_INDEX_KEY_FILE);
  const raw = join(dir, RAW_KEY_FILE);
  if (existsSync(wrapped) && (profile !== LOCAL_PROFILE || !existsSync(raw))) return wrappedSource(wrapped);
  if (existsSync(raw)) return { kind: 'raw', path: raw };
  throw noKey(`${dir} holds no blind-index key (${WRAPPED_INDEX_KEY_FILE} or ${RAW_KEY_FILE}). Copy it from the ingest service's key folder, or choose the key file in Settings.`);
}

/** Size and modification time: a replaced key file is read again. */
function version(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'gone';
  }
}

/**
 * The blind indexer recipient search needs, for the profile the operator views as. The key is the
 * one the ingest service uses (never created here: a new key would silently find nothing): a raw
 * key file, or the KMS-wrapped file the service writes when `blindIndex.key` is a KMS key, unwrapped
 * with the chosen AWS profile's own credentials, so only principals allowed kms:Decrypt on that key
 * (with context sealpost:purpose = blind-index) can search by address. One indexer per profile and
 * key file: an indexer built from a key one profile unwrapped never serves another profile. Failures
 * are not kept (after `aws sso login` the next search works). Key bytes are wiped once the indexer holds them.
 */
export function createBlindIndexResolver(settings: SettingsStore, aws?: Pick<IdentityProvider, 'kms'>): (profile: string) => Promise<BlindIndexer> {
  const cached = new Map<string, { where: string; indexer: Promise<BlindIndexer> }>();

  const build = async (source: KeySource, profile: string): Promise<BlindIndexer> => {
    let key: Buffer;
    if (source.kind === 'raw') {
      try {
        key = loadOrCreateKeyFile(source.path, { create: false });
      } catch (err) {
        throw noKey(`The blind-index key could not be read (${(err as Error).message}). Check the path in Settings.`, err);
      }
    } else {
      const keyArn = source.info.keyArn || source.info.keyId;
      if (!aws?.kms) throw noKey(`The blind-index key in ${source.path} is wrapped by KMS, and this console has no AWS access to unwrap it.`);
      const kms = await aws.kms(profile);
      try {
        key = await unwrapIndexKeyFile(source.path, kms.clientFor(keyArn));
      } catch (err) {
        throw blindIndexUnwrapError(err, { profile: kms.profile, keyArn, path: source.path, kmsWhere: kms.where(keyArn) });
      }
    }
    try {
      return createBlindIndexer(key);
    } finally {
      key.fill(0);
    }
  };

  return async (profile: string) => {
    const source = locate(settings.paths(), profile);
    if (source.kind === 'wrapped' && profile === LOCAL_PROFILE) {
      throw new SealpostError(
        CONSOLE_ERRORS.blindIndexNeedsProfile,
        `The ingest service keeps its blind-index key wrapped by KMS key ${source.info.keyArn || source.info.keyId} (${source.path}), and Local keys cannot unwrap it. To search by recipient address, pick an AWS profile allowed kms:Decrypt on that key in "Decrypt as".`,
        { status: 400 },
      );
    }
    const where = `${source.kind}\u0000${source.path}\u0000${version(source.path)}`;
    const held = cached.get(profile);
    if (held?.where === where) return held.indexer;
    const indexer = build(source, profile);
    cached.set(profile, { where, indexer });
    indexer.catch(() => {
      if (cached.get(profile)?.indexer === indexer) cached.delete(profile);
    });
    return indexer;
  };
}
