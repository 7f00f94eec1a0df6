// Entry point of the expand worker thread (started by worker-expander.ts through threads/).
import { workerData } from 'node:worker_threads';
import { isSealpostError, SealpostError } from '../../../shared/errors/index.js';
import { serveWorker } from '../threads/serve-worker.js';
import { toWire } from '../threads/wire.js';
import { createExpandPipeline } from './expand-pipeline.js';
import type { ExpandAnswer, ExpandRequest, ExpandWorkerInit } from './protocol.js';

const init = workerData as ExpandWorkerInit;

serveWorker({
  init: () => createExpandPipeline(init.config, init.sources),
  async handle(pipeline, entry: ExpandRequest): Promise<ExpandAnswer> {
    try {
      const payload = Buffer.from(entry.payload.buffer, entry.payload.byteOffset, entry.payload.byteLength);
      const res = await pipeline.expand({ ...entry, payload });
      return { stats: pipeline.stats(), outcome: { ok: true, records: res.records, deadLetters: res.deadLetters } };
    } catch (err) {
      const e = isSealpostError(err) ? err : new SealpostError('SP_EXPAND_FAILED', (err as Error)?.message ?? String(err), { cause: err });
      return { stats: pipeline.stats(), outcome: { ok: false, error: toWire(e) } };
    }
  },
  close: (pipeline) => pipeline.close(),
});
