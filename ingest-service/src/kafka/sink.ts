import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, Message, Producer, TopicMessages } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import { JavaPartitioner } from '../../../shared/kafka/java-partitioner.js';
import type { LogLike } from '../journal/types.js';
import { ensureTopics as ensureTopicsOn, type TopicConfigs } from './ensure-topics.js';
import { KAFKA_ERRORS, kafkaFailure } from './errors.js';

const { CompressionTypes } = kafkajs;

/** One record to produce. */
export interface SinkRecord {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Where the forwarder puts records; the Kafka implementation is createKafkaSink. */
export interface RecordSink {
  connect(): Promise<void>;
  /** Produces every record, in order per topic and key, acknowledged by all in-sync replicas; rejects (retriable) otherwise. */
  send(records: readonly SinkRecord[]): Promise<void>;
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** True while the last connect/produce succeeded. */
  healthy(): boolean;
  disconnect(): Promise<void>;
}

export interface KafkaSinkOptions {
  kafka: KafkaClient;
  log: LogLike;
  /** Create missing topics (else a missing topic is an error naming it). */
  createTopics: boolean;
  partitions: number;
  /** -1 = the broker's default.replication.factor. */
  replicationFactor: number;
  /** Topics to ensure on connect (the configured sources' topics, the subject-keys topic). */
  topics?: readonly string[];
  /**
   * Topic configs a topic must have (the subject-keys and suppression topics: COMPACTED_TOPIC_CONFIG): set when the sink creates
   * it; an existing topic without them is refused (retriable, the message says what to change), since
   * records produced there would not be kept as they must (ensure-topics.ts).
   */
  topicConfigs?: TopicConfigs;
  /** Records are sent in requests of at most this many bytes, one after the other (default 900 KB, under the broker's 1 MB default). */
  maxRequestBytes?: number;
  /** `none` (default: sealed values are ciphertext and barely compress) or `gzip`. */
  compression?: 'none' | 'gzip';
}

const RECORD_OVERHEAD = 70;

/** Approximate wire size of a record, to keep requests under the broker's limits. */
export function recordBytes(r: SinkRecord): number {
  let n = RECORD_OVERHEAD + r.value.length + Buffer.byteLength(r.key);
  const headers = r.headers;
  for (const k in headers) n += Buffer.byteLength(k) + Buffer.byteLength(headers[k]!) + 4;
  return n;
}

/**
 * At least recordBytes(r), without measuring UTF-8 (a UTF-16 unit is at most 3 bytes): the forwarder's size check
 * needs recordBytes only for the rare record this bound puts over its limit (it cost ~0.3 µs a record otherwise).
 */
export function recordBytesAtMost(r: SinkRecord): number {
  let units = r.key.length;
  let n = RECORD_OVERHEAD + r.value.length;
  const headers = r.headers;
  for (const k in headers) {
    units += k.length + headers[k]!.length;
    n += 4;
  }
  return n + 3 * units;
}

/** Splits records into consecutive chunks of at most maxBytes (a record larger than that goes alone). */
function chunk(records: readonly SinkRecord[], maxBytes: number): SinkRecord[][] {
  const out: SinkRecord[][] = [];
  let cur: SinkRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const b = recordBytes(r);
    if (cur.length > 0 && bytes + b > maxBytes) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += b;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** kafkajs messages per topic; keys as bytes (kafkajs would measure a string key twice and the partitioner encode it). */
function byTopic(records: readonly SinkRecord[]): TopicMessages[] {
  const m = new Map<string, Message[]>();
  for (const r of records) {
    let list = m.get(r.topic);
    if (!list) m.set(r.topic, (list = []));
    list.push({ key: Buffer.from(r.key, 'utf8'), value: r.value, headers: r.headers });
  }
  return [...m].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * A Kafka sink with an idempotent producer (acks=all, one request in flight, so records of one key
 * keep their order even across kafkajs' internal retries). When a send fails for good, the producer
 * is replaced before the next attempt: kafkajs rolls its sequence numbers back on failure, and a
 * request that timed out but landed would otherwise wedge the partition on OUT_OF_ORDER_SEQUENCE.
 * A fresh producer id means such a batch may be written twice: delivery is at-least-once.
 * Nothing here throws outside the returned promises: a broker that is away never crashes the process.
 */
export function createKafkaSink(opts: KafkaSinkOptions): RecordSink {
  const { kafka, log } = opts;
  const maxRequestBytes = opts.maxRequestBytes ?? 900_000;
  const compression = opts.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const ensured = new Set<string>();
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  let ok = false;

  const dropProducer = (): void => {
    const p = producer;
    producer = undefined;
    connecting = undefined;
    if (p) p.disconnect().catch(() => {});
  };

  const getProducer = async (): Promise<Producer> => {
    if (producer) return producer;
    connecting ??= (async () => {
      // The Java client's partitioner (murmur2 of the key), as kafkajs' DefaultPartitioner picks it, in 32-bit
      // arithmetic (shared/kafka/java-partitioner.ts): consumers in any language agree on it.
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: JavaPartitioner,
        retry: { retries: 3, maxRetryTime: 2000 },
      });
      try {
        await p.connect();
      } catch (err) {
        p.disconnect().catch(() => {});
        throw kafkaFailure(KAFKA_ERRORS.sendFailed, 'cannot connect to Kafka', err);
      }
      producer = p;
      return p;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const ensureTopics = async (topics: readonly string[]): Promise<void> => {
    const wanted = [...new Set(topics)].filter((t) => !ensured.has(t));
    if (wanted.length === 0) return;
    await ensureTopicsOn(kafka, wanted, opts);
    for (const t of wanted) ensured.add(t);
  };

  return {
    async connect() {
      try {
        await getProducer();
        if (opts.topics?.length) await ensureTopics(opts.topics);
        ok = true;
      } catch (err) {
        ok = false;
        throw err;
      }
    },
    async send(records) {
      if (records.length === 0) return;
      try {
        const p = await getProducer();
        await ensureTopics(records.map((r) => r.topic));
        for (const part of chunk(records, maxRequestBytes)) {
          await p.sendBatch({ topicMessages: byTopic(part), acks: -1, compression });
        }
        ok = true;
      } catch (err) {
        ok = false;
        if (!(err instanceof SealpostError)) {
          dropProducer();
          throw kafkaFailure(KAFKA_ERRORS.sendFailed, 'Kafka produce failed', err);
        }
        if (err.code === KAFKA_ERRORS.sendFailed) dropProducer();
        throw err;
      }
    },
    ensureTopics,
    healthy: () => ok,
    async disconnect() {
      const p = producer ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      producer = undefined;
      ok = false;
      if (p) await p.disconnect().catch(() => {});
    },
  };
}
