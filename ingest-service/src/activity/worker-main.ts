// Entry point of the activity worker thread (started by activity-service.ts through threads/).
import { workerData } from 'node:worker_threads';
import { serveWorker } from '../threads/serve-worker.js';
import { openActivityStore, type ActivityStore } from './activity-store.js';
import type { ActivityRequest, ActivityWorkerInit } from './protocol.js';

const init = workerData as ActivityWorkerInit;

serveWorker<ActivityStore, ActivityRequest, unknown>({
  init: () => openActivityStore(init),
  handle(store, req) {
    switch (req.op) {
      case 'add':
        store.add(req.counts, req.links);
        return null;
      case 'series':
        return store.series(req.q);
      case 'totals':
        return store.totals(req.dim, req.q);
      case 'funnel':
        return store.funnel(req.q);
      case 'topLinks':
        return store.topLinks(req.q);
      case 'prune':
        return store.prune();
    }
  },
  close: (store) => store.close(),
});
