import type { Kafka, KafkaMessage } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import { parseKeysTopicRecord } from '../../../shared/subject-keys/index.js';
import type { ForgetSink } from '../expand/contract.js';
import type { LogLike } from '../journal/types.js';
import { createStateTopicFollower } from '../state-topic/follower.js';
import { readTopicEnds, type TopicEnds } from '../state-topic/topic-ends.js';
import { SUBJECT_KEYS_ERRORS } from './errors.js';
import type { KeysProducer } from './keys-producer.js';
import type { KeysStore } from './keys-store.js';

export interface KeysFollowerDeps {
  kafka: Kafka;
  topic: string;
  /** This process's instance id (processInstanceId(), named in the key records its expand workers make). */
  self: string;
  store: KeysStore;
  producer: KeysProducer;
  /** The local expand side, told about every forget marker this instance applies. */
  sink: ForgetSink;
  /** Makes sure the topic exists and is compacted before reading (kafka/ensure-topics.ts, the sink's own check): rejects retriable otherwise. */
  ensureTopic(): Promise<void>;
  log: LogLike;
  /** Counts for the metrics page. */
  counted?: { tombstones(n: number): void; notices(n: number): void };
  retryMaxMs?: number;
}

/** The keys-topic follower of one instance; see createKeysFollower. */
export interface KeysFollower {
  /** Starts following in the background (Kafka away: it retries, nothing else waits for it). */
  start(): void;
  /** Resolves once everything on the topic when called has been applied; SP_SUBJECT_KEYS_NOT_CAUGHT_UP after timeoutMs. */
  caughtUp(timeoutMs: number): Promise<void>;
  /** Produces the tombstones decided but not yet acknowledged, in the background (retried until Kafka takes them). */
  flushSoon(): void;
  stop(): Promise<void>;
}

/**
 * Follows the keys topic from its beginning, in every instance (state-topic/follower.ts): each process reads
 * it in a consumer group of its own (`sealpost-subject-keys-<instance>`, one member, so every partition is its
 * own, deleted on stop), commits nothing to Kafka and keeps its positions in the store instead, so a restart
 * continues where it stopped. Each batch is applied to the store in one transaction (shred-rule.ts decides),
 * then the tombstones it decided are produced (kept in the store until Kafka acknowledges them, retried in
 * the background) and the local expand side hears of every new forget.
 */
export function createKeysFollower(deps: KeysFollowerDeps): KeysFollower {
  const { topic, store, log } = deps;
  let stopping = false;
  let flushing: Promise<void> | undefined;

  let again = false;
  /** Produces every pending tombstone; a call while one runs makes it look again when done. */
  const flush = (): Promise<void> => {
    if (flushing) {
      again = true;
      return flushing;
    }
    const run = async (): Promise<void> => {
      do {
        again = false;
        const keys = store.pendingTombstones();
        for (let at = 0; at < keys.length; at += 500) {
          const part = keys.slice(at, at + 500);
          await deps.producer.send(part);
          store.produced(part);
          deps.counted?.tombstones(part.length);
        }
      } while (again && !stopping);
    };
    // Assigned before it can finish (it may finish without awaiting anything), cleared when it has.
    const current = run().finally(() => {
      if (flushing === current) flushing = undefined;
    });
    flushing = current;
    return current;
  };
  const flushInBackground = (): void => {
    flush().catch((err: unknown) => {
      log.warn({ code: (err as { code?: string }).code, topic }, 'subject-key tombstones not produced yet (kept on disk); retrying');
      setTimeout(() => !stopping && flushInBackground(), 2000).unref();
    });
  };

  const apply = (partition: number, messages: readonly KafkaMessage[], next: bigint): void => {
    const records = messages.map((m) => ({ offset: m.offset, record: m.key ? parseKeysTopicRecord(m.key.toString('utf8'), m.value) : undefined }));
    const applied = store.apply(partition, records, next.toString());
    if (applied.skipped) log.warn({ topic, partition, skipped: applied.skipped }, 'records on the subject-keys topic that are not subject keys or forget markers were skipped');
    if (applied.notices.length) {
      deps.sink.forgotten(applied.notices);
      deps.counted?.notices(applied.notices.length);
      log.info({ topic, forgotten: applied.notices.length, shredded: applied.tombstones.length }, 'forget markers applied: local subject keys dropped, expand told');
    }
    // A key of this instance shredded on arrival may still be held by a worker (made just after the forget,
    // within the grace): the workers drop it, so nothing more is sealed under a shredded key.
    if (applied.ownShredded.length) deps.sink.shredded(applied.ownShredded);
    if (applied.tombstones.length) flushInBackground();
  };

  const follower = createStateTopicFollower({
    kafka: deps.kafka,
    topic,
    log,
    view: store,
    ensureTopic: deps.ensureTopic,
    groupId: () => `sealpost-subject-keys-${deps.self}`,
    apply,
    consumer: { maxWaitTimeInMs: 250, retries: 3, maxRetryTime: 2000 },
    backoff: { firstMs: 500, maxMs: deps.retryMaxMs ?? 15_000 },
    behindMessage: 'the subject-keys topic is behind what this instance read (deleted and created again?): reading it again from the beginning',
    onRetry: (err, retryInMs) => log.warn({ code: (err as { code?: string }).code, err: err.message?.split('\n')[0], topic, retryInMs }, 'the subject-keys follower stopped; starting it again'),
    // Tombstones decided before a crash or while Kafka was away, once the topic is known to be fit.
    onTopicReady: flushInBackground,
  });

  return {
    start: () => follower.start(),
    async caughtUp(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let ends: TopicEnds;
      try {
        ends = await readTopicEnds(deps.kafka, topic);
      } catch (err) {
        throw new SealpostError(SUBJECT_KEYS_ERRORS.notCaughtUp, `cannot read the end of the keys topic ${topic}: ${(err as Error).message}; retry when Kafka is back`, { cause: err, retriable: true, status: 503 });
      }
      const outcome = await follower.waitUntil(() => follower.behind(ends) === 0, Math.max(0, deadline - Date.now()));
      if (outcome === 'ok') return;
      if (outcome === 'stopped') throw new SealpostError(SUBJECT_KEYS_ERRORS.notCaughtUp, 'the service is stopping', { retriable: true, status: 503 });
      const behind = follower.behind(ends);
      throw new SealpostError(SUBJECT_KEYS_ERRORS.notCaughtUp, `this instance has not read the keys topic ${topic} to its end yet (${behind} partition(s) behind); retry in a moment`, {
        retriable: true,
        status: 503,
        details: { behind, retryAfterSeconds: 5 },
      });
    },
    flushSoon: flushInBackground,
    async stop() {
      stopping = true;
      await follower.stop();
      await flushing?.catch(() => {});
    },
  };
}
