// Entry point of the Kafka sink thread (started by worker-sink.ts through threads/): the kafkajs
// producer runs here, so encoding and producing never take time from the thread that answers HTTP.
import { workerData } from 'node:worker_threads';
import { serveWorker } from '../threads/serve-worker.js';
import { createKafka } from './client.js';
import { unpackRecords } from './packed-records.js';
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
        await sink.send(unpackRecords(req.packed));
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
