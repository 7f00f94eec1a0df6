import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import { parseKeysTopicRecord } from '../../../shared/subject-keys/index.js';
import type { ForgetSink } from '../expand/contract.js';
import type { LogLike } from '../journal/types.js';
import { SUBJECT_KEYS_ERRORS } from './errors.js';
import type { KeysProducer } from './keys-producer.js';
import type { KeysStore, PositionedRecord } from './keys-store.js';

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
 * Follows the keys topic from its beginning, in every instance: each process reads it in a consumer
 * group of its own (`sealpost-subject-keys-<instance>`, one member, so every partition is its own), commits
 * nothing to Kafka and keeps its positions in the store instead, so a restart continues where it stopped
 * and the group vanishes when the process leaves. Each batch is applied to the store in one transaction
 * (shred-rule.ts decides), then the tombstones it decided are produced (kept in the store until Kafka
 * acknowledges them, retried in the background) and the local expand side hears of every new forget.
 */
export function createKeysFollower(deps: KeysFollowerDeps): KeysFollower {
  const { topic, store, log } = deps;
  const retryMaxMs = deps.retryMaxMs ?? 15_000;
  let consumer: Consumer | undefined;
  let stopping = false;
  let stopped: () => void = () => {};
  const onStop = new Promise<void>((r) => (stopped = r));
  /** Waits `ms`, or less when the follower stops. */
  const sleep = (ms: number): Promise<void> => Promise.race([onStop, new Promise<void>((r) => setTimeout(r, ms).unref())]);
  let loop: Promise<void> | undefined;
  let wake: () => void = () => {};
  let flushing: Promise<void> | undefined;
  /** Partitions whose stored position was sought to since the consumer (re)joined. */
  const sought = new Set<number>();

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
      void sleep(2000).then(() => !stopping && flushInBackground());
    });
  };

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const position = store.positions().get(batch.partition) ?? 0n;
    if (!sought.has(batch.partition) && BigInt(batch.firstOffset() ?? '0') < position) {
      // A fresh consumer starts at the beginning: skip straight to where the store stopped.
      sought.add(batch.partition);
      consumer?.seek({ topic, partition: batch.partition, offset: position.toString() });
      return;
    }
    sought.add(batch.partition);
    const records: PositionedRecord[] = [];
    for (const m of batch.messages) {
      if (BigInt(m.offset) < position) continue;
      records.push({ offset: m.offset, record: m.key ? parseKeysTopicRecord(m.key.toString('utf8'), m.value) : undefined });
    }
    const last = batch.messages[batch.messages.length - 1]!.offset;
    resolveOffset(last);
    if (records.length === 0) return; // a fetch from before the seek: all of it already applied
    const applied = store.apply(batch.partition, records, (BigInt(last) + 1n).toString());
    if (applied.skipped) log.warn({ topic, partition: batch.partition, skipped: applied.skipped }, 'records on the subject-keys topic that are not subject keys or forget markers were skipped');
    if (applied.notices.length) {
      deps.sink.forgotten(applied.notices);
      deps.counted?.notices(applied.notices.length);
      log.info({ topic, forgotten: applied.notices.length, shredded: applied.tombstones.length }, 'forget markers applied: local subject keys dropped, expand told');
    }
    // A key of this instance shredded on arrival may still be held by a worker (made just after the forget,
    // within the grace): the workers drop it, so nothing more is sealed under a shredded key.
    if (applied.ownShredded.length) deps.sink.shredded(applied.ownShredded);
    if (applied.tombstones.length) flushInBackground();
    await heartbeat();
  }

  /** Positions beyond the topic's end mean it was deleted and created again: start over. */
  async function checkPositions(): Promise<void> {
    const admin = deps.kafka.admin();
    try {
      await admin.connect();
      const marks = await admin.fetchTopicOffsets(topic);
      const high = new Map(marks.map((m) => [m.partition, BigInt(m.high)]));
      const stale = [...store.positions()].some(([p, at]) => at > (high.get(p) ?? 0n));
      if (stale) {
        log.warn({ topic }, 'the subject-keys topic is behind what this instance read (deleted and created again?): reading it again from the beginning');
        store.reset();
      }
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async function runConsumer(): Promise<void> {
    await deps.ensureTopic();
    await checkPositions();
    if (stopping) return;
    flushInBackground();
    // kafkajs never restarts this consumer itself (a restart it scheduled outlives disconnect() and keeps the
    // process alive): a crash ends this run, and the loop below starts a fresh consumer after a backoff.
    const c = deps.kafka.consumer({
      groupId: `sealpost-subject-keys-${deps.self}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 250,
      retry: { retries: 3, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
    consumer = c;
    sought.clear();
    const crashed = new Promise<unknown>((resolve) => {
      c.on(c.events.CRASH, ({ payload }) => !payload.restart && resolve(payload.error));
      wake = () => resolve(undefined);
    });
    try {
      await c.connect();
      if (stopping) return; // stop() came while connecting
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
      const err = await crashed;
      if (err && !stopping) throw err;
    } finally {
      consumer = undefined;
      await c.disconnect().catch(() => {});
    }
  }

  return {
    start() {
      loop ??= (async () => {
        let waitMs = 500;
        while (!stopping) {
          try {
            await runConsumer();
            waitMs = 500;
          } catch (err) {
            if (stopping) break;
            log.warn({ code: (err as { code?: string }).code, err: (err as Error).message?.split('\n')[0], topic, retryInMs: waitMs }, 'the subject-keys follower stopped; starting it again');
            await sleep(waitMs);
            waitMs = Math.min(retryMaxMs, waitMs * 2);
          }
        }
      })();
    },
    async caughtUp(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const admin = deps.kafka.admin();
      let marks: { partition: number; high: string; low: string }[];
      try {
        await admin.connect();
        marks = await admin.fetchTopicOffsets(topic);
      } catch (err) {
        throw new SealpostError(SUBJECT_KEYS_ERRORS.notCaughtUp, `cannot read the end of the keys topic ${topic}: ${(err as Error).message}; retry when Kafka is back`, { cause: err, retriable: true, status: 503 });
      } finally {
        await admin.disconnect().catch(() => {});
      }
      for (;;) {
        const at = store.positions();
        const behind = marks.filter((m) => BigInt(m.high) > BigInt(m.low) && (at.get(m.partition) ?? 0n) < BigInt(m.high));
        if (behind.length === 0) return;
        if (Date.now() > deadline) {
          throw new SealpostError(SUBJECT_KEYS_ERRORS.notCaughtUp, `this instance has not read the keys topic ${topic} to its end yet (${behind.length} partition(s) behind); retry in a moment`, {
            retriable: true,
            status: 503,
            details: { behind: behind.length, retryAfterSeconds: 5 },
          });
        }
        if (stopping) throw new SealpostError(SUBJECT_KEYS_ERRORS.notCaughtUp, "the service is stopping", { retriable: true, status: 503 });
        await sleep(100);
      }
    },
    flushSoon: flushInBackground,
    async stop() {
      stopping = true;
      stopped();
      wake();
      // A connect in progress while Kafka is away may take a few seconds to give up: do not hold the shutdown for it.
      await Promise.race([loop?.catch(() => {}), new Promise((r) => setTimeout(r, 3_000).unref())]);
      await flushing?.catch(() => {});
    },
  };
}
