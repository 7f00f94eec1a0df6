import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaClient, Message, Producer, TopicMessages } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { KAFKA_ERRORS, kafkaFailure } from './errors.js';

const { CompressionTypes, ConfigResourceTypes, Partitioners } = kafkajs;

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
   * Topic configs a topic must have (e.g. the subject-keys topic: `cleanup.policy` = `compact`): set when
   * the sink creates it; an existing topic without them is refused (retriable, the message says what to
   * change), since records produced there would not be kept as they must.
   */
  topicConfigs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Records are sent in requests of at most this many bytes, one after the other (default 900 KB, under the broker's 1 MB default). */
  maxRequestBytes?: number;
  /** `none` (default: sealed values are ciphertext and barely compress) or `gzip`. */
  compression?: 'none' | 'gzip';
}

const RECORD_OVERHEAD = 70;

/** Approximate wire size of a record, to keep requests under the broker's limits. */
export function recordBytes(r: SinkRecord): number {
  let n = RECORD_OVERHEAD + r.value.length + Buffer.byteLength(r.key);
  for (const [k, v] of Object.entries(r.headers)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  return n;
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

function byTopic(records: readonly SinkRecord[]): TopicMessages[] {
  const m = new Map<string, Message[]>();
  for (const r of records) {
    let list = m.get(r.topic);
    if (!list) m.set(r.topic, (list = []));
    list.push({ key: r.key, value: r.value, headers: r.headers });
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
      // The Java client's partitioner (murmur2 of the key), named explicitly: consumers in any language agree on it.
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
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

  const configEntries = (topic: string): { name: string; value: string }[] => Object.entries(opts.topicConfigs?.[topic] ?? {}).map(([name, value]) => ({ name, value }));

  /** Refuses existing topics whose configs differ from what opts.topicConfigs requires. */
  const checkTopicConfigs = async (admin: Admin, topics: readonly string[]): Promise<void> => {
    if (topics.length === 0) return;
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: Object.keys(opts.topicConfigs![name]!) })),
    });
    for (const r of described.resources) {
      const want = opts.topicConfigs![r.resourceName]!;
      for (const [name, value] of Object.entries(want)) {
        const have = r.configEntries.find((e) => e.configName === name)?.configValue;
        if (have !== value) {
          throw new SealpostError(
            KAFKA_ERRORS.topicConfig,
            `Kafka topic ${r.resourceName} has ${name}=${have ?? '(unset)'} but needs ${name}=${value}; change it ` +
              `(kafka-configs.sh --alter --entity-type topics --entity-name ${r.resourceName} --add-config ${name}=${value}); records wait in the journal`,
            { retriable: true, status: 503, details: { topic: r.resourceName, config: name, have: have ?? null, want: value } },
          );
        }
      }
    }
  };

  const ensureTopics = async (topics: readonly string[]): Promise<void> => {
    const wanted = [...new Set(topics)].filter((t) => !ensured.has(t));
    if (wanted.length === 0) return;
    const admin = kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((t) => !existing.has(t));
      if (missing.length && !opts.createTopics) {
        throw new SealpostError(
          KAFKA_ERRORS.topicMissing,
          `Kafka topic(s) ${missing.join(', ')} do not exist and kafka.createTopics is off; create them or turn it on`,
          { retriable: true, status: 503, details: { topics: missing } },
        );
      }
      if (missing.length) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: opts.partitions, replicationFactor: opts.replicationFactor, configEntries: configEntries(topic) })),
        });
        log.info({ topics: missing, partitions: opts.partitions }, 'created Kafka topics');
      }
      await checkTopicConfigs(admin, wanted.filter((t) => existing.has(t) && opts.topicConfigs?.[t]));
      for (const t of wanted) ensured.add(t);
    } catch (err) {
      if (err instanceof SealpostError) throw err;
      // Another instance may have created it between list and create: that is success.
      if ((err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') {
        for (const t of wanted) ensured.add(t);
        return;
      }
      throw kafkaFailure(KAFKA_ERRORS.topicsFailed, 'cannot ensure Kafka topics', err);
    } finally {
      await admin.disconnect().catch(() => {});
    }
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
