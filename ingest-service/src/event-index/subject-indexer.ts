import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import type { IndexKeySource } from '../blind-index/index-key.js';
import { EVENT_INDEX_ERRORS } from './errors.js';

/** The blind index of a subject value, as the sealing side computes it for `recipient`. */
export type SubjectIndexer = (value: string) => Promise<string>;

/**
 * The blind index the events query looks a subject up by: the service's one blind-index key source of
 * the main thread (the one the check and the forget use: same key, same normalisation as the expand
 * step), so "Bob@Example.com" finds what was sealed for "bob@example.com". The value asked for is hashed
 * here and goes nowhere else: not to the index thread, not to a log.
 */
export function createSubjectIndexer(source: Pick<IndexKeySource, 'indexer'>): SubjectIndexer {
  return async (value) => {
    let index;
    try {
      index = await source.indexer();
    } catch (cause) {
      if (isSealpostError(cause) && !cause.retriable) throw cause;
      throw new SealpostError(EVENT_INDEX_ERRORS.subjectKey, 'the blind-index key cannot be unwrapped now (KMS away?); query by subject again in a moment', { status: 503, retriable: true, cause });
    }
    return index(value);
  };
}
