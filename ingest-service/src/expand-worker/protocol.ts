import type { SourceKind } from '../../../shared/envelope/index.js';
import type { Config } from '../config/index.js';

/** Messages between the main thread and the expand worker. */
export interface WorkerInit {
  config: Config;
}

export interface ExpandRequest {
  type: 'expand';
  id: number;
  entry: { seq: number; source: string; kind: SourceKind; receivedAt: number; payload: Uint8Array };
}

export interface SerializedError {
  code: string;
  message: string;
  retriable: boolean;
  status: number;
  details?: Record<string, unknown>;
  /** The code of a SealpostError cause, when there is one (e.g. SP_KMS_UNAVAILABLE under SP_SEAL_...). */
  causeCode?: string;
}

/** Counters the worker owns, sent with every answer so the main thread's metrics stay current. */
export interface WorkerStats {
  sectionsSealed: number;
  keyringCalls: number;
  kmsCalls: number;
  kmsFailedCalls: number;
}

export type ExpandResponse =
  | {
      type: 'expanded';
      id: number;
      records: { eventId: string; topic: string; key: string; value: Uint8Array; headers: Record<string, string>; eventIndex?: number }[];
      deadLetters: { eventIndex: number | null; reason: string; raw: Uint8Array }[];
      stats: WorkerStats;
    }
  | { type: 'failed'; id: number; error: SerializedError; stats: WorkerStats };

export type WorkerReady = { type: 'ready' } | { type: 'init-failed'; error: SerializedError };
