import { join, resolve } from 'node:path';
import { createBlindIndexer, loadOrCreateBlindIndexKey, type BlindIndexer } from '../../../shared/blind-index/index.js';
import { loadOrCreateKmsWrappedIndexKey } from '../../../shared/blind-index/kms-wrapped-key.js';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import { createKmsClients, regionOfKeyId } from '../../../shared/kms/index.js';
import type { Config } from '../config/index.js';
import { EVENT_INDEX_ERRORS } from './errors.js';

/** The blind index of a subject value, as the sealing side computes it for `recipient`. */
export type SubjectIndexer = (value: string) => Promise<string>;

/**
 * The blind index the events query looks a subject up by: the same key (local file, or KMS-wrapped) and
 * the same normalisation as the expand step, so "Bob@Example.com" finds what was sealed for
 * "bob@example.com". The key is read once, on the first subject query (first creator wins, as in the
 * expand worker); the value asked for is hashed here and goes nowhere else: not to the index thread,
 * not to a log.
 */
export function createSubjectIndexer(config: Pick<Config, 'dataDir' | 'blindIndex' | 'kms'>): SubjectIndexer {
  const keysDir = join(resolve(config.dataDir), 'keys');
  const spec = config.blindIndex.key;
  let indexer: BlindIndexer | undefined;
  const load = async (): Promise<BlindIndexer> => {
    if (indexer) return indexer;
    let key: Buffer;
    if (spec === 'local') key = loadOrCreateBlindIndexKey(keysDir);
    else {
      const kms = createKmsClients({ ...config.kms, region: config.kms?.region ?? regionOfKeyId(spec.kms) ?? process.env.AWS_REGION ?? 'us-east-1' });
      try {
        key = await loadOrCreateKmsWrappedIndexKey({ keyId: spec.kms, dir: keysDir, kms: kms.client });
      } catch (cause) {
        if (isSealpostError(cause) && !cause.retriable) throw cause;
        throw new SealpostError(EVENT_INDEX_ERRORS.subjectKey, 'the blind-index key cannot be unwrapped now (KMS away?); query by subject again in a moment', { status: 503, retriable: true, cause });
      } finally {
        kms.destroy();
      }
    }
    indexer = createBlindIndexer(key);
    key.fill(0);
    return indexer;
  };
  return async (value) => (await load())(value);
}
