import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Consumer, Kafka } from 'kafkajs';
import type { EnvelopeOpener } from '../decrypt/index.js';
import { SealpostError } from '../errors/index.js';
import { createBatchHandler } from './batch-handler.js';
import { createDedupeWindow } from './dedupe-window.js';
import { followKeysTopic } from '../subject-keys/follow-keys-topic.js';
import type { SubjectKeySource } from '../subject-keys/key-book.js';
import { endOffsets } from './end-offsets.js';
import { CONSUMER_ERRORS } from './errors.js';
import type { ConsumerEvent } from './open-record.js';
import { createConsumerStats, type ConsumerStats } from './stats.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** What a department consumer needs: where to read, as which department with which keys, and the application. */
export interface DepartmentConsumerOptions {
  /** A kafkajs client (TLS/SASL configured by the caller), or plain brokers for a local, unauthenticated one. */
  kafka: Kafka | { brokers: string[] };
  topic: string;
  department: string;
  /** The department's keys (createConsumerKeys). */
  keys: EnvelopeOpener;
  /**
   * The compacted keys topic (crypto-shredding) v2 sections are opened through; default SUBJECT_KEYS_TOPIC,
   * read on the same Kafka client from its beginning, and only once a v2 section is met. Ignored with `subjectKeys`.
   */
  keysTopic?: string;
  /** A keys-topic book the caller already follows (and closes); default: one of its own on `keysTopic`. */
  subjectKeys?: SubjectKeySource;
  /** Consumer group; default a fresh `sealpost-consume-<department>-<random>` (reads, commits nowhere shared). */
  groupId?: string;
  /** Where a group with no committed offset starts: earliest (true) or latest (default). */
  fromBeginning?: boolean;
  /** Stop once every partition this member is assigned reached the end it had when the consumer started. */
  untilEnd?: boolean;
  /** Verified envelope ids remembered (per partition) to drop duplicates. Default 100,000. */
  dedupeWindow?: number;
  /** Records opened per call to the decryption library (data keys shared within it). Default 500. */
  chunk?: number;
  /** Partitions handled at once (order is kept within each). Default 4. */
  partitionsConsumedConcurrently?: number;
  /** The application: called once per event, in order per partition; its offset is committed after it resolves. */
  handle(event: ConsumerEvent): Promise<void> | void;
  /** Called after each chunk, e.g. to print progress. */
  onProgress?(stats: Readonly<ConsumerStats>): void;
}

/** A running department consumer. */
export interface DepartmentConsumer {
  /** Consumes until stop(), or until the end with `untilEnd`; rejects when Kafka or the handler fails. */
  run(): Promise<ConsumerStats>;
  stop(): Promise<void>;
  stats(): Readonly<ConsumerStats>;
  readonly groupId: string;
}

const kafkaError = (err: unknown, what: string): SealpostError =>
  err instanceof SealpostError
    ? err
    : new SealpostError(CONSUMER_ERRORS.kafkaUnavailable, `${what}: ${((err as Error)?.message ?? String(err)).split('\n')[0]}; check --brokers, the network and the credentials`, {
        cause: err,
        retriable: true,
      });

/**
 * A department's consumer group over the shared topic. Why each rule:
 *  - records are opened a chunk at a time through the decryption library (one KMS call per data key,
 *    not per record) and handed to the application in offset order per partition;
 *  - a record that cannot be opened is handed over as a LockedEvent with its reason, and the consumer
 *    goes on: a missing key must be loud per record, never an empty topic and never a stuck partition;
 *  - an envelope id already handed over within the window is dropped (at-least-once delivery upstream),
 *    remembered only once verified (isRepeat: a forged copy must not hide the genuine event);
 *  - an offset is committed only after the application's handler resolved for it (and for everything
 *    before it in the partition), so a crash or restart re-reads, never skips.
 */
export function createDepartmentConsumer(opts: DepartmentConsumerOptions): DepartmentConsumer {
  const kafka: Kafka =
    'brokers' in opts.kafka && !('consumer' in opts.kafka)
      ? new KafkaClient({ clientId: 'sealpost-consumer', brokers: opts.kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 }, connectionTimeout: 3_000 })
      : (opts.kafka as Kafka);
  const groupId = opts.groupId ?? `sealpost-consume-${opts.department}-${randomBytes(6).toString('hex')}`;
  const chunk = opts.chunk ?? 500;
  const seen = createDedupeWindow(opts.dedupeWindow ?? 100_000);
  const stats = createConsumerStats();
  // A forgotten subject's record locks `forgotten` and the consumer goes on: reported, never a stop.
  // Its own book keeps this department's key records only: memory grows with subjects, not subjects x departments.
  const ownKeys = opts.subjectKeys ? undefined : followKeysTopic({ kafka, departments: [opts.department], ...(opts.keysTopic ? { topic: opts.keysTopic } : {}) });
  const subjectKeys = opts.subjectKeys ?? ownKeys!;
  let consumer: Consumer | undefined;
  let finish: (err?: unknown) => void = () => {};
  let stopping = false;
  /** With untilEnd: partition -> offset still to reach; finished when empty. */
  let targets: Map<number, bigint> | undefined;
  const reached = (partition: number): void => {
    if (!targets?.delete(partition)) return;
    if (targets.size === 0) finish();
  };

  const eachBatch = createBatchHandler(
    { department: opts.department, keys: opts.keys, subjectKeys, chunk, seen, stats, app: opts },
    {
      stopping: () => stopping,
      fail(err) {
        stopping = true;
        finish(err);
      },
      target: (partition) => targets?.get(partition),
      reached,
    },
  );

  return {
    groupId,
    stats: () => stats.snapshot(),
    async run() {
      const done = new Promise<void>((resolve, reject) => {
        finish = (err) => (err ? reject(err) : resolve());
      });
      if (stopping) return stats.snapshot(); // stop() came first
      const admin = kafka.admin();
      try {
        await admin.connect().catch((err) => Promise.reject(kafkaError(err, 'cannot connect to Kafka')));
        const ends = await endOffsets(admin, opts.topic, groupId, Boolean(opts.fromBeginning)).catch((err) => Promise.reject(kafkaError(err, 'cannot read the topic offsets')));
        if (opts.untilEnd) targets = ends;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      if (targets && targets.size === 0) return stats.snapshot();
      consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxWaitTimeInMs: 500 });
      // A member is given only some partitions when others share the group: stop waiting for the ends of
      // partitions it was not assigned (their reader reaches them), else --until-end would never finish.
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        if (!targets) return;
        const mine = new Set(payload.memberAssignment[opts.topic] ?? []);
        for (const partition of [...targets.keys()]) if (!mine.has(partition)) targets.delete(partition);
        if (targets.size === 0) finish();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) finish(kafkaError(payload.error, 'the Kafka consumer stopped'));
      });
      try {
        await consumer.connect().catch((err) => Promise.reject(kafkaError(err, 'cannot connect to Kafka')));
        await consumer.subscribe({ topics: [opts.topic], fromBeginning: Boolean(opts.fromBeginning) });
        await consumer.run({
          eachBatchAutoResolve: false,
          autoCommitInterval: 1_000,
          partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
          eachBatch,
        });
        await done;
      } finally {
        stopping = true;
        await consumer.disconnect().catch(() => undefined);
        await ownKeys?.close().catch(() => undefined);
      }
      return stats.snapshot();
    },
    async stop() {
      stopping = true;
      finish();
    },
  };
}
