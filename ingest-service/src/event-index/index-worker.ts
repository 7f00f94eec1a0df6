// Entry point of the event-index thread (started by worker-event-index.ts through threads/): the Kafka
// consumer, the SQLite writes and the queries run here, so indexing and a slow keyword query never take
// time from the thread that verifies, journals and acknowledges.
import { workerData } from 'node:worker_threads';
import { createKafka } from '../kafka/client.js';
import { serveWorker } from '../threads/serve-worker.js';
import { openEventStore } from './event-store.js';
import { startIndexConsumer } from './index-consumer.js';
import type { IndexAnswer, IndexRequest, IndexWorkerInit } from './index-protocol.js';

const init = workerData as IndexWorkerInit;

serveWorker({
  init(log) {
    const store = openEventStore({ dataDir: init.dataDir });
    const tail = startIndexConsumer({ kafka: createKafka(init.kafka, log), store, sources: init.sources, retentionDays: init.retentionDays, log });
    return { store, tail };
  },
  handle({ store, tail }, req: IndexRequest): IndexAnswer {
    if (req.op === 'query') return store.query(req.query);
    if (req.op === 'yield') {
      tail.setYield(req.on);
      return null;
    }
    return { ...tail.stats(), groupId: tail.groupId, rows: store.count() };
  },
  async close({ store, tail }) {
    await tail.stop();
    store.close();
  },
});
