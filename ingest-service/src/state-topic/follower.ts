import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { LogLike } from '../journal/types.js';
import { partitionsBehind, readTopicEnds, viewIsAhead, type Positions, type TopicEnds } from './topic-ends.js';

/** Where a local view of a state topic stands: the follower resumes from it, or starts it over. */
export interface StateTopicView {
  /** Next offset to read per partition, stored in the same transaction as the state it produced (read once, here). */
  positions(): Positions;
  /** Forgets everything read (the topic is behind it: deleted and created again): it is read from the beginning. */
  reset(): void;
}

/** What one follower of a state topic supplies; everything else is the same for all of them (createStateTopicFollower). */
export interface StateTopicFollowerOptions {
  kafka: Kafka;
  topic: string;
  log: LogLike;
  view: StateTopicView;
  /** Makes sure the topic exists and is compacted (kafka/ensure-topics.ts); rejects, retriable, otherwise. */
  ensureTopic(): Promise<void>;
  /** The consumer group of one session (it never holds offsets, and is deleted when the session ends). */
  groupId(): string;
  /**
   * Applies one partition's records (in offset order, none before the view's position) and stores `next` as its
   * position, in one transaction; then does what follows an apply (telling whoever waits on that state).
   * Throwing (or rejecting) crashes the session: the records are read again by the next one.
   */
  apply(partition: number, messages: readonly KafkaMessage[], next: bigint): void | Promise<void>;
  /** kafkajs consumer tuning: the fetch's long-poll wait, and retries before the consumer crashes. */
  consumer: { maxWaitTimeInMs: number; retries: number; maxRetryTime?: number };
  /** Wait before the next session: firstMs, doubling up to maxMs; firstMs again once a session has started. */
  backoff: { firstMs: number; maxMs: number };
  /** The warning logged when the topic is behind the view (which is then reset). */
  behindMessage: string;
  /** A session could not start (`crashed` false) or its running consumer crashed; the next one starts in retryInMs. */
  onRetry(err: Error, retryInMs: number, crashed: boolean): void;
  /** Each session found the topic fit to read (exists, compacted, not behind the view), before its consumer starts. */
  onTopicReady?(): void;
  /** The view holds the topic up to the end it had when this session started: said once the session runs, then after each batch. */
  onCaughtUp?(): void;
}

/** How a wait for the view ended. */
export type WaitOutcome = 'ok' | 'timeout' | 'stopped';

/** A running follower; see createStateTopicFollower. */
export interface StateTopicFollower {
  /** Starts following in the background (Kafka away: it retries, nothing else waits for it). */
  start(): void;
  /** Stops, waiting at most a few seconds for a connect in progress. */
  stop(): Promise<void>;
  /** Why the last session failed or crashed; null once one runs. */
  lastError(): string | null;
  /** Read the topic up to the end it had when the current session started (false before any session). */
  caughtUpAtStart(): boolean;
  /** Partitions of `ends` (readTopicEnds) not read to their end yet. */
  behind(ends: TopicEnds): number;
  /** Resolves 'ok' as soon as test() holds (now, or after a session start or a batch); else at timeoutMs or stop. */
  waitUntil(test: () => boolean, timeoutMs: number): Promise<WaitOutcome>;
}

/**
 * Follows a compacted state topic (latest record per key) into a local view, every partition from the
 * beginning, then live. Offsets live in the view, in the same transaction as the state they produced: the
 * consumer commits nothing, and a new session seeks each partition to the view's position, so a restart
 * reads only what is new; a view ahead of the topic (deleted and created again) is reset and read again.
 * Each session first has the topic checked (missing or not compacted: refused, retried), then reads
 * through a group of its own that is deleted when it ends. Kafka away, or a crash: the next session starts
 * after a backoff, in the background, while the view answers from what it holds.
 */
export function createStateTopicFollower(opts: StateTopicFollowerOptions): StateTopicFollower {
  const { kafka, topic, log, view } = opts;
  const positions = new Map(view.positions());
  let sessionEnds: TopicEnds = new Map();
  let lastError: string | null = null;
  let current: { consumer: Consumer; groupId: string } | undefined;
  let loop: Promise<void> | undefined;
  let stopping = false;
  let signalStop: () => void = () => {};
  const stopped = new Promise<void>((r) => (signalStop = r));
  /** Waits `ms`, or less when the follower stops. */
  const sleep = (ms: number): Promise<void> => Promise.race([stopped, new Promise<void>((r) => setTimeout(r, ms).unref())]);
  const waiters = new Set<{ test: () => boolean; done: (outcome: WaitOutcome) => void }>();

  const caughtUpAtStart = (): boolean => sessionEnds.size > 0 && partitionsBehind(sessionEnds, positions) === 0;
  /** After a session started and after each batch: the follower hears it first, then whoever waits. */
  const progressed = (): void => {
    if (caughtUpAtStart()) opts.onCaughtUp?.();
    for (const w of waiters) if (w.test()) w.done('ok');
  };

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (stopping || !isRunning() || isStale()) return;
    const from = positions.get(batch.partition) ?? 0n;
    const next = BigInt(batch.lastOffset()) + 1n;
    if (next <= from) {
      resolveOffset(batch.lastOffset()); // a fetch from before the seek: all of it already applied
      return;
    }
    await opts.apply(batch.partition, batch.messages.filter((m) => BigInt(m.offset) >= from), next);
    positions.set(batch.partition, next);
    resolveOffset(batch.lastOffset()); // only once applied: a batch that failed is fetched again
    progressed();
    await heartbeat();
  }

  /** Starts one session: the topic checked, a consumer running from the view's positions; `ended` says what ended it. */
  async function session(): Promise<{ ended: Promise<Error | undefined> } | undefined> {
    await opts.ensureTopic();
    const ends = await readTopicEnds(kafka, topic);
    sessionEnds = ends;
    if (viewIsAhead(ends, positions)) {
      log.warn({ topic }, opts.behindMessage);
      view.reset();
      positions.clear();
    }
    if (stopping) return undefined;
    opts.onTopicReady?.();
    const groupId = opts.groupId();
    const { maxWaitTimeInMs, retries, maxRetryTime } = opts.consumer;
    // kafkajs must never restart the consumer itself: a restart it scheduled outlives disconnect() (a stopped
    // service whose broker went away would never exit). A crash ends the session; the loop starts a new one.
    const c = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs,
      retry: { retries, ...(maxRetryTime ? { maxRetryTime } : {}), restartOnFailure: async () => false },
    });
    current = { consumer: c, groupId };
    const ended = Promise.race([
      new Promise<Error>((resolve) => c.on(c.events.CRASH, ({ payload }) => !payload.restart && resolve(payload.error))),
      stopped.then(() => undefined),
    ]);
    await c.connect();
    if (stopping) return undefined; // stop() came while connecting
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
    for (const [partition, at] of positions) if (at > 0n) c.seek({ topic, partition, offset: at.toString() });
    progressed();
    return { ended };
  }

  /** Disconnects the session's consumer and deletes its group, each bounded: with Kafka away a stop must not wait for kafkajs' retries. */
  async function closeSession(): Promise<void> {
    const s = current;
    current = undefined;
    if (!s) return;
    const bounded = (p: Promise<unknown>): Promise<unknown> => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(s.consumer.disconnect());
    const admin = kafka.admin();
    await bounded(
      (async () => {
        try {
          await admin.connect();
          await admin.deleteGroups([s.groupId]);
        } finally {
          await admin.disconnect().catch(() => {});
        }
      })(),
    );
  }

  async function follow(): Promise<void> {
    let delay = opts.backoff.firstMs;
    while (!stopping) {
      let failure: { err: Error; crashed: boolean } | undefined;
      try {
        const running = await session();
        if (running) {
          lastError = null;
          delay = opts.backoff.firstMs;
          const crash = await running.ended; // runs until a crash or stop()
          if (crash) failure = { err: crash, crashed: true };
        }
      } catch (err) {
        failure = { err: err as Error, crashed: false };
      }
      if (failure && !stopping) {
        lastError = failure.err.message;
        opts.onRetry(failure.err, delay, failure.crashed);
      }
      await closeSession();
      if (stopping) break;
      await sleep(delay);
      delay = Math.min(delay * 2, opts.backoff.maxMs);
    }
  }

  return {
    start() {
      loop ??= follow();
    },
    async stop() {
      stopping = true;
      signalStop();
      for (const w of waiters) w.done('stopped');
      // A connect in progress while Kafka is away may take a few seconds to give up: do not hold the shutdown for it.
      await Promise.race([loop?.catch(() => {}), new Promise((r) => setTimeout(r, 3_000).unref())]);
      await closeSession();
    },
    lastError: () => lastError,
    caughtUpAtStart,
    behind: (ends) => partitionsBehind(ends, positions),
    waitUntil(test, timeoutMs) {
      if (test()) return Promise.resolve('ok');
      if (stopping) return Promise.resolve('stopped');
      return new Promise((resolve) => {
        const waiter = {
          test,
          done: (outcome: WaitOutcome) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(outcome);
          },
        };
        const timer = setTimeout(() => waiter.done('timeout'), timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
