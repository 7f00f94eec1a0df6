// The one follower of compacted state topics (the suppression list and the subject keys both run on it), on the
// real broker with a view kept in memory: it reads every partition to the end the topic had when it started,
// leaves no consumer group behind, resumes from the positions the view stored, and starts over when the topic is
// behind the view (deleted and created again).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { ensureCompactedTopic } from '../../../ingest-service/src/kafka/ensure-topics.js';
import { createStateTopicFollower, type StateTopicFollower } from '../../../ingest-service/src/state-topic/follower.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';

const { Kafka, logLevel } = kafkajs;
const BEHIND = 'the test topic is behind the view: reading it again';

/** A view in memory that keeps the StateTopicView contract: records and their partition's next position in one step. */
function memoryView(positions = new Map<number, bigint>()) {
  const applied: string[] = [];
  let resets = 0;
  return {
    applied,
    positions,
    resets: () => resets,
    view: {
      positions: () => new Map(positions),
      reset: () => {
        resets++;
        positions.clear();
        applied.length = 0;
      },
    },
    apply(partition: number, messages: readonly { key: Buffer | null }[], next: bigint): void {
      for (const m of messages) applied.push(m.key!.toString());
      positions.set(partition, next);
    },
  };
}

describe('the state-topic follower on the real broker', () => {
  let kafka: InstanceType<typeof Kafka>;
  const topic = uniqueTopic('state-follow');
  const warnings: string[] = [];
  const log = { debug() {}, info() {}, error() {}, warn: (_o: unknown, msg: string) => void warnings.push(msg) } as never;
  const running: StateTopicFollower[] = [];
  after(async () => {
    for (const f of running) await f.stop();
  });

  const produce = async (keys: readonly string[]): Promise<void> => {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: 'v' })) });
    await producer.disconnect();
  };
  /** Starts a follower of the topic into `mem`; resolves once it has read the topic to the end it had at its start. */
  const follow = async (mem: ReturnType<typeof memoryView>, groupId: string): Promise<StateTopicFollower> => {
    const f = createStateTopicFollower({
      kafka,
      topic,
      log,
      view: mem.view,
      ensureTopic: () => ensureCompactedTopic(kafka, topic, { createTopics: true, partitions: 3, replicationFactor: -1, log }, 'test'),
      groupId: () => groupId,
      apply: (p, messages, next) => mem.apply(p, messages, next),
      consumer: { maxWaitTimeInMs: 250, retries: 3 },
      backoff: { firstMs: 500, maxMs: 2000 },
      behindMessage: BEHIND,
      onRetry: (err) => void warnings.push(err.message),
    });
    running.push(f);
    f.start();
    assert.equal(await f.waitUntil(() => f.caughtUpAtStart(), 30_000), 'ok', `caught up (warnings: ${warnings.join('; ')})`);
    return f;
  };
  const keys = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `k${from + i}`);

  before(async () => {
    const { brokers } = await ensureKafka();
    kafka = new Kafka({ clientId: 'sealpost-test-state-topic', brokers, logLevel: logLevel.NOTHING });
    // A broker that has just started (loading thousands of partitions) can take a while to lead a new topic: the
    // error is retriable, and the followers retry it themselves; so does the set-up here.
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureCompactedTopic(kafka, topic, { createTopics: true, partitions: 3, replicationFactor: -1, log }, 'test');
        break;
      } catch (err) {
        if (attempt === 20 || !(err as { retriable?: boolean }).retriable) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    await produce(keys(0, 30));
  });

  const mem = memoryView();
  it('reads every partition to the end it found, and deletes its consumer group on stop', async () => {
    const groupId = `sealpost-test-state-${randomUUID()}`;
    const f = await follow(mem, groupId);
    assert.deepEqual([...mem.applied].sort(), keys(0, 30).sort());
    assert.equal(mem.positions.size, 3, 'a position for every partition');
    const admin = kafka.admin();
    await admin.connect();
    try {
      assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === groupId), 'reads through its own group');
      await f.stop();
      assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === groupId), 'no group left behind');
    } finally {
      await admin.disconnect();
    }
    assert.equal(await f.waitUntil(() => false, 10_000), 'stopped', 'a stopped follower makes no one wait');
  });

  it('started again on the same view, reads only what came after the positions it stored', async () => {
    await produce(keys(30, 5));
    mem.applied.length = 0;
    await follow(mem, `sealpost-test-state-${randomUUID()}`);
    assert.deepEqual([...mem.applied].sort(), keys(30, 5).sort(), 'none of the 30 records read before is applied again');
    assert.equal(mem.resets(), 0);
  });

  it('a view ahead of the topic (deleted and created again) is reset and the topic read again from the beginning', async () => {
    const ahead = memoryView(new Map([[0, 1_000_000n], [1, 1_000_000n], [2, 1_000_000n]]));
    await follow(ahead, `sealpost-test-state-${randomUUID()}`);
    assert.equal(ahead.resets(), 1);
    assert.ok(warnings.includes(BEHIND), 'said so in the log');
    assert.deepEqual([...ahead.applied].sort(), keys(0, 35).sort());
  });
});
