// Entry point of the expand worker thread (started by worker-expander.ts through threads/).
import { workerData } from 'node:worker_threads';
import { isSealpostError, SealpostError } from '../../../shared/errors/index.js';
import { serveWorker } from '../threads/serve-worker.js';
import { toWire } from '../threads/wire.js';
import { createExpandPipeline } from './expand-pipeline.js';
import type { ExpandAnswer, ExpandRequest, ExpandWorkerInit, NoticeAnswer } from './protocol.js';

const init = workerData as ExpandWorkerInit;
type Pipeline = ReturnType<typeof createExpandPipeline>;

async function expand(pipeline: Pipeline, entry: Extract<ExpandRequest, { op: 'expand' }>['entry']): Promise<ExpandAnswer> {
  try {
    const payload = Buffer.from(entry.payload.buffer, entry.payload.byteOffset, entry.payload.byteLength);
    const res = await pipeline.expand({ ...entry, payload });
    const keyRecords = res.keyRecords ?? [];
    // One buffer of this answer's own (never the shared pool), so it can be moved to the main thread.
    let total = 0;
    for (const r of res.records) total += r.value.length;
    for (const r of keyRecords) total += r.value.length;
    const values = Buffer.allocUnsafeSlow(total);
    let pos = 0;
    // Fields named, not copied by rest and spread (two object copies per record).
    const records = res.records.map((r) => {
      pos += r.value.copy(values, pos);
      return { eventId: r.eventId, topic: r.topic, key: r.key, headers: r.headers, valueLength: r.value.length };
    });
    const keys = keyRecords.map((r) => {
      pos += r.value.copy(values, pos);
      return { topic: r.topic, key: r.key, headers: r.headers, valueLength: r.value.length };
    });
    return {
      stats: pipeline.stats(),
      outcome: { ok: true, values: values.buffer as ArrayBuffer, records, keyRecords: keys, deadLetters: res.deadLetters, ...(res.activity ? { activity: res.activity } : {}), ...(res.forgotten ? { forgotten: res.forgotten } : {}), ...(res.suppressionRecords?.length ? { suppressionRecords: res.suppressionRecords } : {}) },
    };
  } catch (err) {
    const e = isSealpostError(err) ? err : new SealpostError('SP_EXPAND_FAILED', (err as Error)?.message ?? String(err), { cause: err });
    return { stats: pipeline.stats(), outcome: { ok: false, error: toWire(e) } };
  }
}

serveWorker({
  init: () => createExpandPipeline(init.config, init.sources, { instance: init.instance }),
  transferOf: (answer: ExpandAnswer | NoticeAnswer) => ('outcome' in answer && answer.outcome.ok ? [answer.outcome.values] : []),
  handle(pipeline, req: ExpandRequest): Promise<ExpandAnswer> | NoticeAnswer {
    switch (req.op) {
      case 'expand':
        return expand(pipeline, req.entry);
      case 'forgotten':
        pipeline.forgotten(req.notices);
        return { stats: pipeline.stats() };
      case 'shredded':
        pipeline.shredded(req.recordKeys);
        return { stats: pipeline.stats() };
      case 'produced':
        pipeline.produced(req.recordKeys);
        return { stats: pipeline.stats() };
    }
  },
  close: (pipeline) => pipeline.close(),
});
