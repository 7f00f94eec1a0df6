import type { Config } from '../config/index.js';
import type { KnownSource } from '../config/source-table.js';
import type { WireError } from '../threads/wire.js';
import type { SinkRecord } from '../kafka/sink.js';
import type { ExpandEntry, ExpandedDeadLetter, ExpandedRecord, ExpandResult, ExpandStats, ForgetNotice } from './contract.js';

/**
 * What the expand worker is started with: the config and the service's source table (worked out once, in
 * service.ts) and the process's instance id (named in the key records it makes). Subjects already forgotten
 * are not handed over: the worker reads them from the follower's store on disk.
 */
export interface ExpandWorkerInit {
  config: Config;
  sources: readonly KnownSource[];
  instance: string;
}

/** Buffers cross a worker boundary as Uint8Arrays (structured clone); the rest of the contract as is. */
type Cloned<T> = { [K in keyof T]: T[K] extends Buffer ? Uint8Array : T[K] };

/**
 * What is posted to the worker: one entry to expand, or news from the main thread (subjects forgotten;
 * key records the forwarder produced; key records the follower shredded). Messages are handled in the order they are posted.
 */
export type ExpandRequest =
  | { op: 'expand'; entry: Cloned<ExpandEntry> }
  | { op: 'forgotten'; notices: ForgetNotice[] }
  | { op: 'produced'; recordKeys: string[] }
  | { op: 'shredded'; recordKeys: string[] };

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
        /** Key records, their values after the records' in `values`. */
        keyRecords: (Omit<SinkRecord, 'value'> & { valueLength: number })[];
        deadLetters: Cloned<ExpandedDeadLetter>[];
        activity?: ExpandResult['activity'];
        forgotten?: ExpandResult['forgotten'];
        /** Suppression records (few and small: copied, not moved). */
        suppressionRecords?: Cloned<SinkRecord>[];
      }
    | { ok: false; error: WireError };
}

/** The worker's answer to news (no outcome: nothing to return but its counters). */
export interface NoticeAnswer {
  stats: ExpandStats;
}
