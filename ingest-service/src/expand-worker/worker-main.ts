// Entry point of the expand worker thread (see worker-expander.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { isSealpostError } from '../../../shared/errors/index.js';
import { createExpandPipeline } from './expand-pipeline.js';
import type { ExpandRequest, ExpandResponse, SerializedError, WorkerInit, WorkerReady } from './protocol.js';

function serialize(err: unknown): SerializedError {
  if (isSealpostError(err)) {
    return {
      code: err.code,
      message: err.message,
      retriable: err.retriable,
      status: err.status,
      ...(err.details ? { details: err.details } : {}),
      ...(isSealpostError(err.cause) ? { causeCode: err.cause.code } : {}),
    };
  }
  return { code: 'SP_EXPAND_FAILED', message: (err as Error)?.message ?? String(err), retriable: false, status: 500 };
}

const port = parentPort!;
let pipeline: ReturnType<typeof createExpandPipeline>;
try {
  pipeline = createExpandPipeline((workerData as WorkerInit).config);
  port.postMessage({ type: 'ready' } satisfies WorkerReady);
} catch (err) {
  port.postMessage({ type: 'init-failed', error: serialize(err) } satisfies WorkerReady);
  process.exit(1);
}

port.on('message', (msg: ExpandRequest | { type: 'close' }) => {
  if (msg.type === 'close') {
    void pipeline.close().finally(() => port.close());
    return;
  }
  const { id, entry } = msg;
  pipeline
    .expand({ ...entry, payload: Buffer.from(entry.payload.buffer, entry.payload.byteOffset, entry.payload.byteLength) })
    .then((res) => {
      const out: ExpandResponse = { type: 'expanded', id, records: res.records, deadLetters: res.deadLetters, stats: pipeline.stats() };
      port.postMessage(out);
    })
    .catch((err: unknown) => {
      port.postMessage({ type: 'failed', id, error: serialize(err), stats: pipeline.stats() } satisfies ExpandResponse);
    });
});
