import { createBlindIndexer, loadOrCreateBlindIndexKey, type BlindIndexer } from '../../../shared/blind-index/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { loadOrCreateKeyFile } from '../../../shared/seal/key-file.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { SettingsStore } from '../settings/settings-store.js';

/**
 * The blind indexer recipient search needs: the key file chosen in Settings, else the one in the
 * local key folder (`blind-index.hmac.key`, as the ingest service writes it). Never created here:
 * a new key would silently find nothing. Rebuilt when the settings point elsewhere.
 */
export function createBlindIndexResolver(settings: SettingsStore): () => Promise<BlindIndexer> {
  let cached: { where: string; indexer: BlindIndexer } | undefined;
  return async () => {
    const { blindIndexKeyFile, localKeysDir } = settings.paths();
    const where = blindIndexKeyFile ?? (localKeysDir ? `dir:${localKeysDir}` : '');
    if (!where) {
      throw new SealpostError(
        CONSOLE_ERRORS.noBlindIndexKey,
        'Recipient search needs the blind-index key. In Settings, choose the local key folder (or the blind-index key file) of the ingest service.',
        { status: 400 },
      );
    }
    if (cached?.where === where) return cached.indexer;
    let key: Buffer;
    try {
      key = blindIndexKeyFile ? loadOrCreateKeyFile(blindIndexKeyFile, { create: false }) : loadOrCreateBlindIndexKey(localKeysDir!, { create: false });
    } catch (err) {
      throw new SealpostError(CONSOLE_ERRORS.noBlindIndexKey, `The blind-index key could not be read (${(err as Error).message}). Check the path in Settings.`, {
        cause: err,
        status: 400,
      });
    }
    try {
      cached = { where, indexer: createBlindIndexer(key) };
    } finally {
      key.fill(0);
    }
    return cached.indexer;
  };
}
