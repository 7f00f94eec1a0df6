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
  transferOf: (answer: ExpandAnswer) => (answer.outcome.ok ? [answer.outcome.values] : []),
  async handle(pipeline, entry: ExpandRequest): Promise<ExpandAnswer> {
    try {
      const payload = Buffer.from(entry.payload.buffer, entry.payload.byteOffset, entry.payload.byteLength);
      const res = await pipeline.expand({ ...entry, payload });
      // One buffer of this answer's own (never the shared pool), so it can be moved to the main thread.
      let total = 0;
      for (const r of res.records) total += r.value.length;
      const values = Buffer.allocUnsafeSlow(total);
      let pos = 0;
      const records = res.records.map(({ value, ...rest }) => {
        pos += value.copy(values, pos);
        return { ...rest, valueLength: value.length };
      });
      return { stats: pipeline.stats(), outcome: { ok: true, values: values.buffer as ArrayBuffer, records, deadLetters: res.deadLetters, ...(res.activity ? { activity: res.activity } : {}) } };
    } catch (err) {
      const e = isSealpostError(err) ? err : new SealpostError('SP_EXPAND_FAILED', (err as Error)?.message ?? String(err), { cause: err });
      return { stats: pipeline.stats(), outcome: { ok: false, error: toWire(e) } };
    }
  },
  close: (pipeline) => pipeline.close(),
});
