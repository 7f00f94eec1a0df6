// Entry point of the suppression view's writer thread (started by view-client.ts through threads/).
import { workerData } from 'node:worker_threads';
import { serveWorker } from '../threads/serve-worker.js';
import { suppressionKey, type SuppressionValue } from './suppression-state.js';
import { openSuppressionStore, parseSuppressionValue, type SuppressionStore } from './suppression-store.js';
import type { ViewApplied, ViewRequest, ViewWorkerInit } from './view-protocol.js';

const init = workerData as ViewWorkerInit;

function apply(store: SuppressionStore, req: ViewRequest): ViewApplied {
  const items: { key: string; value: SuppressionValue }[] = [];
  let skipped = 0;
  const values = Buffer.from(req.values.buffer, req.values.byteOffset, req.values.byteLength);
  let at = 0;
  req.keys.forEach((key, i) => {
    const length = req.lengths[i]!;
    const value = parseSuppressionValue(length < 0 ? null : values.subarray(at, (at += length)));
    if (!value || key !== suppressionKey(value.subject, value.group)) skipped++;
    else items.push({ key, value });
  });
  const incomplete = store.applyBatch(req.partition, items, req.next);
  const applied: ViewApplied['applied'] = items.map((i) => [i.key, store.get(i.key)!.reasons]);
  return { applied, incomplete, skipped };
}

serveWorker<SuppressionStore, ViewRequest, ViewApplied>({
  init: () => openSuppressionStore({ dataDir: init.dataDir, topic: init.topic, now: Date.now }),
  handle: (store, req) => apply(store, req),
  close: (store) => store.close(),
});
