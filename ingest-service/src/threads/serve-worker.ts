import { parentPort } from 'node:worker_threads';
import type { LogLike } from '../journal/types.js';
import type { FromWorker, LogLevel, ToWorker } from './protocol.js';
import { toWire } from './wire.js';

/** What a worker module gives serveWorker: how to start, answer one request, and stop. */
export interface WorkerHandlers<H, Req, Res> {
  /**
   * Runs once; a throw is reported as the init error (ready() rejects) and the thread stays up to say
   * so on every call. `log` sends log lines to the client's logger (fields must survive structured clone).
   */
  init(log: LogLike): H;
  /** ArrayBuffers of an answer to move rather than copy (each used by nothing else in this thread afterwards). */
  transferOf?(res: Res): ArrayBuffer[];
  /** Answers one request; a synchronous handler answers requests strictly in arrival order. */
  handle(state: H, req: Req): Res | Promise<Res>;
  close?(state: H): void | Promise<void>;
}

/** The worker side of startWorkerClient: the ready handshake, calls answered by id, errors as WireErrors, close. */
export function serveWorker<H, Req, Res>(handlers: WorkerHandlers<H, Req, Res>): void {
  const port = parentPort!;
  const post = (msg: FromWorker<Res>, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer);
  const line =
    (level: LogLevel) =>
    (fields: unknown, msg?: unknown): void => {
      const [f, m] = typeof fields === 'string' ? [{}, fields] : [(fields ?? {}) as Record<string, unknown>, typeof msg === 'string' ? msg : ''];
      try {
        post({ type: 'log', level, fields: f, msg: m });
      } catch {
        post({ type: 'log', level, fields: { fields: String(f) }, msg: m }); // something in the fields does not clone
      }
    };
  const log = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') } as LogLike;
  const answer = (id: number, result: Res): void => post({ type: 'answer', id, ok: true, result }, handlers.transferOf?.(result));
  let state: H | undefined;
  let initError: ReturnType<typeof toWire> | undefined;
  try {
    state = handlers.init(log);
  } catch (err) {
    initError = toWire(err);
  }
  post(initError ? { type: 'ready', ok: false, error: initError } : { type: 'ready', ok: true });

  port.on('message', (msg: ToWorker<Req>) => {
    if (msg.type === 'close') {
      void Promise.resolve()
        .then(() => (state !== undefined ? handlers.close?.(state) : undefined))
        .finally(() => {
          post({ type: 'closed' });
          port.close();
        });
      return;
    }
    const { id } = msg;
    if (initError) {
      post({ type: 'answer', id, ok: false, error: initError });
      return;
    }
    let out: Res | Promise<Res>;
    try {
      out = handlers.handle(state!, msg.req);
    } catch (err) {
      post({ type: 'answer', id, ok: false, error: toWire(err) });
      return;
    }
    if (out instanceof Promise) {
      out.then(
        (result) => answer(id, result),
        (err: unknown) => post({ type: 'answer', id, ok: false, error: toWire(err) }),
      );
    } else answer(id, out);
  });
}
