import { join, resolve } from 'node:path';
import { createBlindIndexer, loadOrCreateBlindIndexKey, type BlindIndexer } from '../../../shared/blind-index/index.js';
import { loadOrCreateKmsWrappedIndexKey } from '../../../shared/blind-index/kms-wrapped-key.js';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import { createKmsClients, regionOfKeyId, type KmsClients } from '../../../shared/kms/index.js';
import type { Config } from '../config/index.js';

/** The service's blind-index key, as every part of the service that computes an index gets it. */
export interface IndexKeySource {
  /** The key bytes (a copy the caller may wipe); rejects retriable (SP_BLIND_INDEX_KEY_UNAVAILABLE) while KMS is away. */
  load(): Promise<Buffer>;
  /** The indexer over the key, made once and kept; calls while it is being made share that one load (one KMS Decrypt). */
  indexer(): Promise<BlindIndexer>;
  /** KMS calls made to unwrap it (none for a local key). */
  kmsCalls(): { total: number; failed: number } | undefined;
  close(): void;
}

/**
 * `blindIndex.key` of the config: `local` (`<dataDir>/keys/blind-index.hmac.key`) or a KMS-wrapped key
 * (`<dataDir>/keys/blind-index.kms-wrapped.json`, unwrapped with Decrypt). The expand step and the
 * forget call both compute indexes with it, so an address forgotten through the admin API lands on the
 * same subject as the events sealed for it. A KMS failure is retriable: the caller waits and tries again.
 * One per thread, handed to every user there: service.ts makes the main thread's (the suppression check,
 * the forget, the events query by subject: one key load, one KMS client), expand-pipeline.ts each worker's.
 */
export function createIndexKeySource(config: Pick<Config, 'dataDir' | 'blindIndex' | 'kms'>): IndexKeySource {
  const keysDir = join(resolve(config.dataDir), 'keys');
  const spec = config.blindIndex.key;
  let kms: KmsClients | undefined;
  if (spec !== 'local') kms = createKmsClients({ ...config.kms, region: config.kms?.region ?? regionOfKeyId(spec.kms) ?? process.env.AWS_REGION ?? 'us-east-1' });
  let making: Promise<BlindIndexer> | undefined;
  const load = async (): Promise<Buffer> => {
    try {
      return spec === 'local' ? loadOrCreateBlindIndexKey(keysDir) : await loadOrCreateKmsWrappedIndexKey({ keyId: spec.kms, dir: keysDir, kms: kms!.client });
    } catch (cause) {
      if (isSealpostError(cause) && !cause.retriable) throw cause;
      throw new SealpostError('SP_BLIND_INDEX_KEY_UNAVAILABLE', 'the blind-index key cannot be unwrapped yet (KMS away?): events wait in the journal, a forget can be retried', { retriable: true, status: 503, cause });
    }
  };
  return {
    load,
    indexer() {
      if (!making) {
        const attempt = load().then((key) => {
          const made = createBlindIndexer(key);
          key.fill(0);
          return made;
        });
        making = attempt;
        // A failure (KMS away) is not kept: the next call tries again.
        attempt.catch(() => {
          if (making === attempt) making = undefined;
        });
      }
      return making;
    },
    kmsCalls: () => kms?.calls(),
    close: () => kms?.destroy(),
  };
}
