import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { startWorkerClient } from '../threads/worker-client.js';
import type { KafkaSettings } from './client.js';
import { KAFKA_ERRORS } from './errors.js';
import { packRecords } from './packed-records.js';
import type { KafkaSinkOptions, RecordSink } from './sink.js';
import type { SinkAnswer, SinkRequest, SinkWorkerInit } from './sink-protocol.js';

/**
 * The Kafka sink (createKafkaSink) in its own thread: the profile of bench:ingest showed kafkajs
 * (record encoding, buffer copies, murmur2, CRC) at about half of the main thread's busy time, which
 * then answered HTTP later. Records cross packed (packed-records.ts: their values copied once into a
 * buffer that is moved, topics and header sets once each); errors keep their codes and `retriable`
 * flags, so the forwarder backs off exactly as with the sink in-thread. A thread that dies fails its
 * call as retriable and is started again on the next one.
 */
export async function startWorkerSink(
  settings: KafkaSettings,
  options: Omit<KafkaSinkOptions, 'kafka' | 'log'>,
  log: LogLike,
): Promise<RecordSink & { close(): Promise<void> }> {
  const client = startWorkerClient<SinkRequest, SinkAnswer>({
    beside: import.meta.url,
    module: './sink-worker',
    workerData: { settings, options } satisfies SinkWorkerInit,
    died: (_why, message, cause) => new SealpostError(KAFKA_ERRORS.sendFailed, `the Kafka sink thread: ${message}`, { retriable: true, status: 503, ...(cause ? { cause } : {}) }),
    log,
  });
  try {
    await client.ready(); // a bad kafka section (an unreadable CA file...) fails the start, as it did in-thread
  } catch (err) {
    await client.close();
    throw err;
  }
  let ok = false;
  /** Mirrors the sink's own health: a failed connect or send makes it unhealthy, ensureTopics leaves it as it was. */
  const call = async (req: SinkRequest, transfer?: ArrayBuffer[]): Promise<void> => {
    try {
      ok = (await client.call(req, transfer)).healthy;
    } catch (err) {
      if (req.op !== 'ensureTopics') ok = false;
      throw err;
    }
  };
  return {
    connect: () => call({ op: 'connect' }),
    async send(records) {
      if (records.length === 0) return;
      const packed = packRecords(records);
      await call({ op: 'send', packed }, [packed.values]);
    },
    ensureTopics: (topics) => call({ op: 'ensureTopics', topics }),
    healthy: () => ok,
    async disconnect() {
      ok = false;
      await call({ op: 'disconnect' }).catch(() => {});
    },
    close: () => client.close(),
  };
}
