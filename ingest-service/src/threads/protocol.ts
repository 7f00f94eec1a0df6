import type { WireError } from './wire.js';

/** The levels a worker's log lines travel at (LogLike's). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Messages to a worker started by startWorkerClient. */
export type ToWorker<Req> = { type: 'call'; id: number; req: Req } | { type: 'close' };

/** Messages from it: once `ready` (or why not), then one `answer` per call, and `closed` after its close hook. */
export type FromWorker<Res> =
  | { type: 'closed' }
  | { type: 'log'; level: LogLevel; fields: Record<string, unknown>; msg: string }
  | { type: 'ready'; ok: true }
  | { type: 'ready'; ok: false; error: WireError }
  | { type: 'answer'; id: number; ok: true; result: Res }
  | { type: 'answer'; id: number; ok: false; error: WireError };
