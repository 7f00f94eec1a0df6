import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { LogLike } from '../journal/types.js';
import { ensureCompactedTopic } from '../kafka/ensure-topics.js';
import { parseSuppressionValue, type SuppressionStore } from './suppression-store.js';
import { suppressionKey, type SuppressionValue } from './suppression-state.js';

export interface FollowerOptions {
  kafka: Kafka;
  topic: string;
  store: SuppressionStore;
  log: LogLike;
  /** kafka.createTopics/partitions/replicationFactor: the topic is made compacted, and refused (retriable) when it exists otherwise. */
  topicSettings: { createTopics: boolean; partitions: number; replicationFactor: number };
  /** Keys just merged (to settle the writer's pending states). */
  onApplied(keys: readonly string[]): void;
  /** Keys whose latest record lacks part of the merged state, once the view has caught up. */
  onIncomplete(keys: readonly string[]): void;
  /** Backoff between attempts while Kafka is away (default 2 s, doubling to 10 s). */
  retryMs?: number;
}

/** What the follower says about itself (status, metrics, readiness of the check). */
export interface FollowerState {
  /** Read the topic to its end once (in this run, or a run whose view is on disk). */
  ready: boolean;
  /** Records merged in this run; values that were not suppression records (skipped). */
  applied: number;
  skipped: number;
  lastError: string | null;
}

/**
 * Follows the whole suppression topic (every partition, from the beginning, then live) into the
 * local view. Reads with a consumer group of its own per run that never commits (offsets live in the
 * view, in the same transaction as the state they produced) and is deleted on stop; a restart seeks
 * to the stored offsets, so only what is new is read again. While Kafka is away it keeps retrying in
 * the background and the view answers from what it holds, once it has been complete at least once.
 */
export function startSuppressionFollower(opts: FollowerOptions) {
  const { kafka, topic, store, log } = opts;
  const state: FollowerState = { ready: store.caughtUpOnce(), applied: 0, skipped: 0, lastError: null };
  const next = store.offsets();
  let targets = new Map<number, number>();
  let stopping = false;
  let consumer: Consumer | undefined;
  let groupId: string | undefined;
  let wake: (() => void) | undefined;
  const readyWaiters: (() => void)[] = [];

  const checkReady = (): void => {
    if (state.ready && readyWaiters.length === 0) return;
    for (const [p, high] of targets) if ((next.get(p) ?? 0) < high) return;
    if (!state.ready) {
      state.ready = true;
      store.markCaughtUp();
      log.info({ topic, keys: store.size() }, 'suppression list loaded from its topic');
      opts.onIncomplete(store.incompleteKeys(10_000));
    }
    for (const w of readyWaiters.splice(0)) w();
  };

  const session = async (): Promise<void> => {
    await ensureCompactedTopic(kafka, topic, { ...opts.topicSettings, log }, 'the suppression topic is not followed meanwhile (the check answers from the local view once it was complete)');
    const admin = kafka.admin();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      targets = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if ([...next].some(([p, n]) => n > (targets.get(p) ?? 0))) {
      log.warn({ topic }, 'the suppression topic is behind the local view (recreated?): reading it again from the beginning');
      store.reset();
      next.clear();
      state.ready = false;
    }
    groupId = `sealpost-suppressions-${randomUUID()}`;
    // kafkajs must not restart the consumer itself: its scheduled restart outlives disconnect() (a stopped service
    // whose broker went away then never exits); a crash wakes this loop, which starts a new session.
    const c = kafka.consumer({ groupId, maxWaitTimeInMs: 500, sessionTimeout: 30_000, allowAutoTopicCreation: false, retry: { retries: 5, restartOnFailure: async () => false } });
    consumer = c;
    await c.connect();
    await c.subscribe({ topics: [topic], fromBeginning: true });
    c.on(c.events.CRASH, ({ payload }) => {
      state.lastError = payload.error.message;
      if (!payload.restart && !stopping) wake?.();
    });
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const from = next.get(batch.partition) ?? 0;
        const items: { key: string; value: SuppressionValue }[] = [];
        for (const m of batch.messages) {
          if (Number(m.offset) < from) continue;
          const value = parseSuppressionValue(m.value);
          const key = m.key?.toString('utf8');
          if (!value || key !== suppressionKey(value.subject, value.group)) {
            state.skipped++;
            continue;
          }
          items.push({ key, value });
        }
        const last = Number(batch.lastOffset()) + 1;
        if (last <= from) return;
        const incomplete = store.applyBatch(batch.partition, items, last);
        next.set(batch.partition, last);
        state.applied += items.length;
        opts.onApplied(items.map((i) => i.key));
        if (state.ready) {
          if (incomplete.length) opts.onIncomplete(incomplete);
          checkReady();
        } else checkReady();
      },
    });
    for (const [partition, n] of next) if (n > 0) c.seek({ topic, partition, offset: String(n) });
    checkReady();
  };

  const loop = async (): Promise<void> => {
    let delay = opts.retryMs ?? 2000;
    while (!stopping) {
      try {
        await session();
        state.lastError = null;
        delay = opts.retryMs ?? 2000;
        // Runs until a crash that kafkajs does not restart itself (then wake() is called) or stop.
        if (!stopping) await new Promise<void>((r) => (wake = r));
      } catch (err) {
        state.lastError = (err as Error).message;
        log.warn({ topic, code: (err as { code?: string }).code, err: state.lastError, retryInMs: delay }, 'cannot follow the suppression topic yet; the check answers from the local view once it was complete');
      }
      await closeConsumer();
      if (stopping) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      delay = Math.min(delay * 2, 10_000);
    }
  };

  const closeConsumer = async (): Promise<void> => {
    const c = consumer;
    const g = groupId;
    consumer = undefined;
    if (!c) return;
    // Bounded: with the broker away, a stop must not wait for kafkajs' retries (the group holds no offsets anyway).
    const bounded = (p: Promise<unknown>): Promise<unknown> => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 3000).unref())]);
    await bounded(c.disconnect());
    const admin = kafka.admin();
    await bounded(
      (async () => {
        try {
          await admin.connect();
          await admin.deleteGroups([g!]);
        } finally {
          await admin.disconnect().catch(() => {});
        }
      })(),
    );
  };

  const done = loop();

  return {
    state: (): FollowerState => ({ ...state }),
    /** Resolves once the view has read the topic to the end it had when this run started. */
    waitReady(timeoutMs: number): Promise<void> {
      if (state.ready && [...targets].every(([p, h]) => (next.get(p) ?? 0) >= h) && targets.size > 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`the suppression view did not catch up within ${timeoutMs} ms`)), timeoutMs);
        readyWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    async stop(): Promise<void> {
      stopping = true;
      wake?.();
      await done;
      await closeConsumer();
    },
  };
}
export type SuppressionFollower = ReturnType<typeof startSuppressionFollower>;
