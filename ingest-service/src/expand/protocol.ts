import type { Config } from '../config/index.js';
import type { KnownSource } from '../config/source-table.js';
import type { WireError } from '../threads/wire.js';
import type { ExpandEntry, ExpandedDeadLetter, ExpandedRecord, ExpandResult, ExpandStats } from './contract.js';

/** What the expand worker is started with: the config and the service's source table (worked out once, in service.ts). */
export interface ExpandWorkerInit {
  config: Config;
  sources: readonly KnownSource[];
}

/** Buffers cross a worker boundary as Uint8Arrays (structured clone); the rest of the contract as is. */
type Cloned<T> = { [K in keyof T]: T[K] extends Buffer ? Uint8Array : T[K] };

/** One entry to expand, as posted to the worker. */
export type ExpandRequest = Cloned<ExpandEntry>;

/**
 * The worker's answer. A failed expand is an answer too (not a thread error), so the counters it
 * moved (failed KMS calls during an outage) still reach the main thread's metrics.
 */
export interface ExpandAnswer {
  stats: ExpandStats;
  outcome:
    | {
        ok: true;
        /** Every record's value, back to back in one buffer that is moved (not copied) to the main thread. */
        values: ArrayBuffer;
        records: (Omit<ExpandedRecord, 'value'> & { valueLength: number })[];
        deadLetters: Cloned<ExpandedDeadLetter>[];
        activity?: ExpandResult['activity'];
      }
    | { ok: false; error: WireError };
}
