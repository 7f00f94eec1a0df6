// Entry point of the Kafka sink thread (started by worker-sink.ts through threads/): the kafkajs
// producer runs here, so encoding and producing never take time from the thread that answers HTTP.
import { workerData } from 'node:worker_threads';
import { serveWorker } from '../threads/serve-worker.js';
import { createKafka } from './client.js';
import { createKafkaSink } from './sink.js';
import type { SinkAnswer, SinkRequest, SinkWorkerInit } from './sink-protocol.js';

const { settings, options } = workerData as SinkWorkerInit;

serveWorker({
  init: (log) => createKafkaSink({ ...options, kafka: createKafka(settings, log), log }),
  async handle(sink, req: SinkRequest): Promise<SinkAnswer> {
    switch (req.op) {
      case 'connect':
        await sink.connect();
        break;
      case 'send':
        // The records are this thread's own clones: their values become Buffers in place (no copy, no new record objects).
        await sink.send(req.records.map((r) => Object.assign(r, { value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength) })));
        break;
      case 'ensureTopics':
        await sink.ensureTopics(req.topics);
        break;
      case 'disconnect':
        await sink.disconnect();
        break;
    }
    return { healthy: sink.healthy() };
  },
  close: (sink) => sink.disconnect(),
});
