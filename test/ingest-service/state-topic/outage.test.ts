// The state-topic follower through a broker outage (a private broker, never the shared one): kafkajs does not
// restart the consumer itself, so the follower's own loop must notice the crash, start a new session once Kafka is
// back and carry on from the view's positions; and with Kafka away, stop() must not hang.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import kafkajs from 'kafkajs';
import { ensureCompactedTopic } from '../../../ingest-service/src/kafka/ensure-topics.js';
import { createStateTopicFollower, type StateTopicFollower } from '../../../ingest-service/src/state-topic/follower.js';
import { startKafkaInstance, type KafkaInstance } from '../../support/kafka.js';
import { until } from '../../support/until.js';

const { Kafka, logLevel } = kafkajs;
let broker: KafkaInstance | undefined;
let follower: StateTopicFollower | undefined;
after(async () => {
  await follower?.stop();
  await broker?.destroy();
});

it('resumes after Kafka was away (a crash its loop restarts from), reads on from its positions, and stops promptly with Kafka away', async () => {
  broker = await startKafkaInstance({ name: 'state-topic-outage', port: 39692 });
  // The service's client settings (kafka/client.ts): calls fail within seconds while the broker is away.
  const kafka = new Kafka({ clientId: 'sealpost-test-state-outage', brokers: broker.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { initialRetryTime: 250, maxRetryTime: 2000, retries: 3 } });
  const topic = 'state-outage';
  const log = { debug() {}, info() {}, warn() {}, error() {} } as never;
  const ensureTopic = (): Promise<void> => ensureCompactedTopic(kafka, topic, { createTopics: true, partitions: 2, replicationFactor: -1, log }, 'test');
  const produce = async (keys: readonly string[]): Promise<void> => {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: 'v' })) });
    await producer.disconnect();
  };
  await ensureTopic();
  await produce(['a1', 'a2', 'a3', 'a4']);

  const positions = new Map<number, bigint>();
  const applied: string[] = [];
  const retries: { crashed: boolean }[] = [];
  follower = createStateTopicFollower({
    kafka,
    topic,
    log,
    view: { positions: () => new Map(positions), reset: () => positions.clear() },
    ensureTopic,
    groupId: () => `sealpost-test-state-${randomUUID()}`,
    apply(partition, messages, next) {
      for (const m of messages) applied.push(m.key!.toString());
      positions.set(partition, next);
    },
    consumer: { maxWaitTimeInMs: 250, retries: 3, maxRetryTime: 2000 },
    backoff: { firstMs: 500, maxMs: 2000 },
    behindMessage: 'behind',
    onRetry: (_err, _ms, crashed) => void retries.push({ crashed }),
  });
  const f = follower;
  f.start();
  assert.equal(await f.waitUntil(() => f.caughtUpAtStart(), 30_000), 'ok');
  assert.deepEqual([...applied].sort(), ['a1', 'a2', 'a3', 'a4']);

  await broker.stop();
  await until('the consumer to crash', () => retries, (r) => r.some((x) => x.crashed), { timeoutMs: 60_000 });
  assert.notEqual(f.lastError(), null, 'the failure is said');

  await broker.start();
  await produce(['b1', 'b2']);
  await until('the records written after the outage', () => applied, (a) => a.includes('b1') && a.includes('b2'), { timeoutMs: 60_000 });
  assert.deepEqual([...applied].sort(), ['a1', 'a2', 'a3', 'a4', 'b1', 'b2'], 'nothing read before the outage applied again');
  await until('the session to run again', () => f.lastError(), (e) => e === null);

  await broker.stop();
  const stopping = Date.now();
  await f.stop();
  const tookMs = Date.now() - stopping;
  assert.ok(tookMs < 10_000, `stop() with Kafka away took ${tookMs} ms`);
});
