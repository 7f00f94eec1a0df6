import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { LogLike } from '../journal/types.js';
import { ensureCompactedTopic } from '../kafka/ensure-topics.js';
import { createStateTopicFollower } from '../state-topic/follower.js';
import type { SuppressionStore } from './suppression-store.js';
import type { ViewWriter } from './view-client.js';
import type { ViewApplied } from './view-protocol.js';

export interface FollowerOptions {
  kafka: Kafka;
  topic: string;
  /** The view as this thread reads it (and resets it); `writer` merges the records into it on a thread of its own. */
  store: SuppressionStore;
  writer: ViewWriter;
  log: LogLike;
  /** kafka.createTopics/partitions/replicationFactor: the topic is made compacted, and refused (retriable) when it exists otherwise. */
  topicSettings: { createTopics: boolean; partitions: number; replicationFactor: number };
  /** Keys just merged, with their merged reasons (to settle the suppression writer's pending states). */
  onApplied(states: ViewApplied['applied']): void;
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
 * Follows the whole suppression topic into the local view (state-topic/follower.ts: every partition from the
 * beginning, then live, from the offsets the view stores; a group of its own per run, deleted on stop). Each
 * batch is merged into the view by the view's writer thread (view-worker.ts), the suppression writer hears
 * which keys it now holds, and once the view has caught up, records lacking part of the merged state are
 * written back whole. While Kafka is away it keeps retrying in
 * the background and the view answers from what it holds, once it has been complete at least once.
 */
export function startSuppressionFollower(opts: FollowerOptions) {
  const { kafka, topic, store, log } = opts;
  const state: Omit<FollowerState, 'lastError'> = { ready: store.caughtUpOnce(), applied: 0, skipped: 0 };

  const apply = async (partition: number, messages: readonly KafkaMessage[], next: bigint): Promise<void> => {
    const { applied, incomplete, skipped } = await opts.writer.apply(partition, messages, Number(next));
    store.learn(applied);
    state.skipped += skipped;
    state.applied += applied.length;
    opts.onApplied(applied);
    if (state.ready && incomplete.length) opts.onIncomplete(incomplete);
  };

  const follower = createStateTopicFollower({
    kafka,
    topic,
    log,
    view: {
      positions: () => new Map([...store.offsets()].map(([p, n]) => [p, BigInt(n)])),
      reset: () => {
        store.reset();
        state.ready = false;
      },
    },
    ensureTopic: () => ensureCompactedTopic(kafka, topic, { ...opts.topicSettings, log }, 'the suppression topic is not followed meanwhile (the check answers from the local view once it was complete)'),
    groupId: () => `sealpost-suppressions-${randomUUID()}`,
    apply,
    consumer: { maxWaitTimeInMs: 500, retries: 5 },
    backoff: { firstMs: opts.retryMs ?? 2000, maxMs: 10_000 },
    behindMessage: 'the suppression topic is behind the local view (recreated?): reading it again from the beginning',
    onRetry(err, retryInMs, crashed) {
      // A crash of a running consumer is logged by kafkajs itself; the check answers on meanwhile.
      if (crashed) return;
      log.warn({ topic, code: (err as { code?: string }).code, err: err.message, retryInMs }, 'cannot follow the suppression topic yet; the check answers from the local view once it was complete');
    },
    onCaughtUp() {
      if (state.ready) return;
      state.ready = true;
      store.markCaughtUp();
      log.info({ topic, keys: store.size() }, 'suppression list loaded from its topic');
      opts.onIncomplete(store.incompleteKeys(10_000));
    },
  });
  follower.start();

  return {
    state: (): FollowerState => ({ ...state, lastError: follower.lastError() }),
    /** Resolves once the view has read the topic to the end it had when this run started. */
    async waitReady(timeoutMs: number): Promise<void> {
      const outcome = await follower.waitUntil(() => state.ready && follower.caughtUpAtStart(), timeoutMs);
      if (outcome !== 'ok') throw new Error(`the suppression view did not catch up within ${timeoutMs} ms`);
    },
    stop: (): Promise<void> => follower.stop(),
  };
}
export type SuppressionFollower = ReturnType<typeof startSuppressionFollower>;
