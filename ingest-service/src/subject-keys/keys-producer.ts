import type { Kafka, Message, Producer } from 'kafkajs';
import { HEADERS } from '../../../shared/envelope/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { JavaPartitioner } from '../../../shared/kafka/java-partitioner.js';
import { FORGOTTEN_SCHEMA, forgottenRecordKey, type ForgottenRecord } from '../../../shared/subject-keys/index.js';
import { SUBJECT_KEYS_ERRORS } from './errors.js';

/** Writes what forgetting puts on the keys topic: tombstones (null values) and forget markers. */
export interface KeysProducer {
  /** Tombstones `recordKeys` and, when given, writes the marker; resolves once all in-sync replicas have them. */
  send(recordKeys: readonly string[], marker?: ForgottenRecord): Promise<void>;
  close(): Promise<void>;
}

/** The marker of `subject` forgotten at `at` (the value the keys topic keeps). */
export function forgottenRecord(subject: string, at: number): ForgottenRecord {
  return { schema: FORGOTTEN_SCHEMA, subject, forgottenAt: new Date(at).toISOString() };
}

/**
 * A producer of its own rather than the forwarder's sink: the sink carries sealed values only (never a
 * null), runs in its own thread for throughput, and forgets are rare. Same rules as the sink: the Java
 * partitioner, the sink's (a tombstone must land on the partition of the record it shreds, whoever wrote that
 * record), idempotent, acks=all, no topic auto-creation (an auto-created keys topic would not be
 * compacted), and a fresh producer after a failure (kafkajs rolls its sequence numbers back).
 */
export function createKeysProducer(kafka: Kafka, topic: string): KeysProducer {
  let producer: Producer | undefined;
  let closed = false;
  const get = async (): Promise<Producer> => {
    if (producer) return producer;
    if (closed) throw new Error('the keys producer is closed');
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: JavaPartitioner, retry: { retries: 3, maxRetryTime: 2000 } });
    try {
      await p.connect();
    } catch (err) {
      p.disconnect().catch(() => {});
      throw err;
    }
    if (closed) {
      // close() came while connecting: nothing may keep a connection open after it.
      await p.disconnect().catch(() => {});
      throw new Error('the keys producer is closed');
    }
    producer = p;
    return p;
  };
  return {
    async send(recordKeys, marker) {
      const messages: Message[] = recordKeys.map((key) => ({ key, value: null }));
      if (marker) messages.push({ key: forgottenRecordKey(marker.subject), value: Buffer.from(JSON.stringify(marker)), headers: { [HEADERS.schema]: FORGOTTEN_SCHEMA } });
      if (messages.length === 0) return;
      try {
        const p = await get();
        await p.send({ topic, messages, acks: -1 });
      } catch (err) {
        const p = producer;
        producer = undefined;
        p?.disconnect().catch(() => {});
        throw new SealpostError(SUBJECT_KEYS_ERRORS.produceFailed, `cannot write to the keys topic ${topic}: ${(err as Error).message}; nothing was acknowledged as forgotten, retry`, {
          cause: err,
          retriable: true,
          status: 503,
        });
      }
    },
    async close() {
      closed = true;
      const p = producer;
      producer = undefined;
      await p?.disconnect().catch(() => {});
    },
  };
}
