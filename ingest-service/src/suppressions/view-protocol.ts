import type { ReasonState } from './suppression-state.js';

/** What the view worker is started with: the view's file is `<dataDir>/suppressions.db`, for `topic`. */
export interface ViewWorkerInit {
  dataDir: string;
  topic: string;
}

/**
 * The request to the view worker: one partition's records (raw, as fetched) parsed, validated, merged into the
 * view and written with `next` as its position, in one transaction. That runs there, not on the service's main
 * thread (in bench:ingest, where one event in five is a bounce, it was ~40 % of that thread's busy time); the main
 * thread reads the view, and writes only what is rare (a reset of the view, the mark that it caught up once).
 */
export interface ViewRequest {
  op: 'apply';
  partition: number;
  /** Record keys, and their values back to back in `values` (`lengths[i]` bytes each, -1 for none). */
  keys: (string | null)[];
  values: Uint8Array;
  lengths: Int32Array;
  next: number;
}

/** The answer to `apply`. */
export interface ViewApplied {
  /** Keys merged, each with its merged reasons (what the writer settles its pending states against). */
  applied: [key: string, reasons: Record<string, ReasonState>][];
  /** Keys whose record lacked part of the merged state (a race between writers). */
  incomplete: string[];
  /** Records that were not suppression records. */
  skipped: number;
}
