import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startKafkaInstance, uniqueTopic, type KafkaInstance } from '../../../support/kafka.js';
import { readRanges, unsafeRawCluster, type RawCluster } from '../../../../electron/core/kafka/raw-fetch.js';
import { bulkWatermarks, listTopics } from '../../../../electron/core/topics/topic-list.js';

// The topic list once asked the broker two ListOffsets per topic: 9-37 s on a cluster of 2,000 topics before the
// Topics page showed anything. It now asks per chunk of 500 topics, one request per leader for each end.
// A private broker: on the shared one, other tests create and delete topics while the list is read, and a chunk
// holding a topic deleted meanwhile is asked again topic by topic (the fallback the second test shows), so the
// request counts below would depend on what else runs.

const MANY = 510;
let broker: KafkaInstance;
let kafka: kafkajs.Kafka;
let admin: kafkajs.Admin;
/** The console's own clients, as a session holds them for as long as it is connected (same retry settings). */
let consoleAdmin: kafkajs.Admin;
let cluster: RawCluster;
const prefix = uniqueTopic('list-topics');
const many = Array.from({ length: MANY }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
const counted = { topic: `${prefix}-counted`, partitions: 3 };

before(async () => {
  broker = await startKafkaInstance({ name: 'console-topic-list', port: 39792 });
  kafka = new kafkajs.Kafka({ brokers: broker.brokers, logLevel: kafkajs.logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [...many.map((topic) => ({ topic, numPartitions: 1 })), { topic: counted.topic, numPartitions: counted.partitions }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  // 10 records on partition 0, 20 on 1, 30 on 2; then the first 4 of partition 1 deleted (its low watermark moves).
  for (const p of [0, 1, 2]) await producer.send({ topic: counted.topic, messages: Array.from({ length: 10 * (p + 1) }, (_, i) => ({ partition: p, value: `r${i}` })) });
  await producer.send({ topic: many[7]!, messages: [{ value: 'one' }, { value: 'two' }] });
  await producer.disconnect();
  // Right after creating 511 topics the admin's metadata can still lack a leader for this partition: ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.deleteTopicRecords({ topic: counted.topic, partitions: [{ partition: 1, offset: '4' }] });
      break;
    } catch (error) {
      if (attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await untilOffsetsServed([...many.map((topic) => ({ topic, partitions: [0] })), { topic: counted.topic, partitions: [0, 1, 2] }]);
  cluster = unsafeRawCluster(kafka);
  await cluster.connect();
  consoleAdmin = kafka.admin({ retry: { retries: 1, initialRetryTime: 150 } });
  await consoleAdmin.connect();
});

/**
 * Waits until the broker answers ListOffsets for every partition of `topics`: right after hundreds of creations on a
 * busy machine it refuses some for seconds (NOT_LEADER_FOR_PARTITION) though the metadata already names their leader.
 */
async function untilOffsetsServed(topics: { topic: string; partitions: number[] }[]): Promise<void> {
  const probe = unsafeRawCluster(kafka);
  await probe.connect();
  try {
    await probe.addMultipleTargetTopics(topics.map((t) => t.topic));
    for (let attempt = 1; ; attempt++) {
      try {
        await probe.fetchTopicsOffset(topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition })), fromBeginning: false })));
        return;
      } catch (error) {
        if (attempt === 60) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await probe.disconnect();
  }
}

after(async () => {
  await consoleAdmin?.disconnect();
  await cluster?.disconnect();
  await admin?.disconnect();
  await broker?.destroy();
});

test('the topic list counts records (high - low, after deletions) with a few bulk requests, not two per topic', async () => {
  const spy = spied(admin);
  const list = await listTopics(spy.admin, spy.cluster, false);
  const byName = new Map(list.map((t) => [t.name, t]));
  assert.deepEqual(byName.get(counted.topic), { name: counted.topic, partitions: 3, replicationFactor: 1, records: 10 + 16 + 30, internal: false });
  assert.equal(byName.get(many[7]!)?.records, 2);
  assert.equal(many.filter((t) => byName.get(t)?.records === 0).length, MANY - 1);
  assert.equal(spy.count.perTopic, 0, 'no per-topic ListOffsets');
  // Two requests (earliest, latest) per chunk of 500 topics.
  assert.equal(spy.count.bulk, 2 * Math.ceil(list.length / 500));
});

test('a topic gone between the listing and the offsets costs only its own count', async () => {
  const wms = await bulkWatermarks(admin, cluster, [
    { topic: counted.topic, partitions: [0, 1, 2] },
    { topic: `${prefix}-never-created`, partitions: [0] },
  ]);
  assert.deepEqual([...wms.get(counted.topic)!].sort((a, b) => a[0] - b[0]), [
    [0, { low: 0, high: 10 }],
    [1, { low: 4, high: 20 }],
    [2, { low: 0, high: 30 }],
  ]);
  assert.equal(wms.get(`${prefix}-never-created`)?.size, 0);
});

test('a refusal no deletion explains is asked again in bulk when it may pass, topic by topic as a last resort', async () => {
  const refusal = (type: string, code: number, retriable: boolean) => new kafkajs.KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable }));
  const topics = [{ topic: counted.topic, partitions: [0, 1, 2] }, { topic: many[7]!, partitions: [0] }];
  const expected = new Map([
    [counted.topic, [[0, { low: 0, high: 10 }], [1, { low: 4, high: 20 }], [2, { low: 0, high: 30 }]]],
    [many[7]!, [[0, { low: 0, high: 2 }]]],
  ]);
  const sorted = (wms: Map<string, Map<number, unknown>>) => new Map([...wms].map(([t, wm]) => [t, [...wm].sort((a, b) => a[0] - b[0])]));
  // A leader moved (a broker restarted): the cluster's metadata is refreshed and the chunk asked again in bulk.
  const moved = spied(consoleAdmin, undefined, refusal('NOT_LEADER_FOR_PARTITION', 6, true));
  assert.deepEqual(sorted(await bulkWatermarks(moved.admin, moved.cluster, topics)), expected);
  assert.deepEqual(moved.count, { bulk: 4, perTopic: 0 });
  // A topic this identity may not describe: asking in bulk again cannot pass, topic by topic isolates it.
  const denied = spied(consoleAdmin, undefined, refusal('TOPIC_AUTHORIZATION_FAILED', 29, false));
  assert.deepEqual(sorted(await bulkWatermarks(denied.admin, denied.cluster, topics)), expected);
  assert.deepEqual(denied.count, { bulk: 2, perTopic: 2 });
});

// A topic deleted while the console reads the list (a cleanup job, a colleague): the rest of its chunk of up to
// 500 topics was asked again topic by topic (two requests each), and a topic once listed then deleted stayed a
// metadata target of the session's cluster, refusing every later chunk holding a topic it had not seen yet.

/** Offsets requests the console's clients sent: in bulk (per chunk and leader) and per topic (the admin client's). */
interface Count {
  bulk: number;
  perTopic: number;
}

/**
 * `client` (an admin client) and the session's cluster, counting offsets requests. `inject.run` runs once, when the
 * first admin call listing topics resolved ('names': listTopics or fetchTopicMetadata) or the first fetchTopicMetadata
 * ('metadata'). `refuse` is what the broker's answer to the first bulk request is replaced with.
 */
function spied(client: kafkajs.Admin, inject?: { after: 'names' | 'metadata'; run: () => Promise<void> }, refuse?: Error) {
  const count: Count = { bulk: 0, perTopic: 0 };
  let injected = false;
  const once = async <T>(step: 'names' | 'metadata', value: T): Promise<T> => {
    if (inject && !injected && (inject.after === step || inject.after === 'names')) {
      injected = true;
      await inject.run();
    }
    return value;
  };
  const spyCluster: RawCluster = Object.assign(Object.create(cluster) as RawCluster, {
    addMultipleTargetTopics: (topics: string[]) => cluster.addMultipleTargetTopics(topics),
    refreshMetadata: () => cluster.refreshMetadata(),
    fetchTopicsOffset: async (...args: Parameters<RawCluster['fetchTopicsOffset']>) => {
      const answer = await cluster.fetchTopicsOffset(...args);
      if (count.bulk++ === 0 && refuse) throw refuse;
      return answer;
    },
  });
  const spyAdmin = Object.assign(Object.create(client) as kafkajs.Admin, {
    listTopics: async () => once('names', await client.listTopics()),
    fetchTopicMetadata: async (...args: Parameters<kafkajs.Admin['fetchTopicMetadata']>) => once('metadata', await client.fetchTopicMetadata(...args)),
    fetchTopicOffsets: (topic: string) => (count.perTopic++, client.fetchTopicOffsets(topic)),
  });
  return { admin: spyAdmin, cluster: spyCluster, count };
}

/** Creates `n` topics of one partition with two records each (a fresh producer: one that wrote to a topic deleted since fails). */
async function createWithRecords(label: string, n: number): Promise<string[]> {
  const topics = Array.from({ length: n }, (_, i) => `${prefix}-${label}-${String(i).padStart(2, '0')}`);
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  // Idempotent: a plain producer's retry (a leader not ready yet right after the creation) can write a record twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.sendBatch({ topicMessages: topics.map((topic) => ({ topic, messages: [{ value: 'one' }, { value: 'two' }] })) });
  await producer.disconnect();
  return topics;
}

/** Deletes `topic` and waits until the broker no longer lists it. */
async function deleteTopic(topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic] });
  for (let attempt = 1; (await admin.listTopics()).includes(topic); attempt++) {
    if (attempt === 40) throw new Error(`${topic} still listed after its deletion`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Asserts the list shows two records for each of `kept`, none for `gone`, with bulk requests only (one refused pair at most). */
function assertListed(list: Awaited<ReturnType<typeof listTopics>>, count: Count, kept: readonly string[], gone: string): void {
  const byName = new Map(list.map((t) => [t.name, t]));
  assert.deepEqual(kept.filter((t) => byName.get(t)?.records !== 2), [], 'every other topic with its 2 records');
  assert.equal(byName.get(gone)?.records ?? 0, 0, 'the deleted topic shows no records');
  assert.equal(count.perTopic, 0, 'no per-topic ListOffsets');
  assert.ok(count.bulk <= 2 * Math.ceil(list.length / 500) + 2, `${count.bulk} bulk ListOffsets`);
}

test('a topic deleted after the names were read costs only its own count: the rest of its chunk is still asked in bulk', async () => {
  const topics = await createWithRecords('deleted-unseen', 30);
  const spy = spied(consoleAdmin, { after: 'metadata', run: () => deleteTopic(topics[12]!) });
  const list = await listTopics(spy.admin, spy.cluster, false);
  assertListed(list, spy.count, topics.filter((_, i) => i !== 12), topics[12]!);
});

test('the same when the deleted topic was listed before (its offsets refused from the metadata the cluster kept)', async () => {
  const topics = await createWithRecords('deleted-listed', 5);
  await listTopics(consoleAdmin, cluster, false);
  const spy = spied(consoleAdmin, { after: 'metadata', run: () => deleteTopic(topics[2]!) });
  const list = await listTopics(spy.admin, spy.cluster, false);
  assertListed(list, spy.count, topics.filter((_, i) => i !== 2), topics[2]!);
});

test('a topic deleted between the listing of the names and of their partitions does not fail the list', async () => {
  const topics = await createWithRecords('deleted-early', 3);
  const spy = spied(consoleAdmin, { after: 'names', run: () => deleteTopic(topics[1]!) });
  const list = await listTopics(spy.admin, spy.cluster, false);
  assertListed(list, spy.count, [topics[0]!, topics[2]!], topics[1]!);
});

test('after a listed topic was deleted, later lists of the session stay in bulk and topics created since can be read', async () => {
  const [kept, gone] = await createWithRecords('stale', 2);
  await listTopics(consoleAdmin, cluster, false);
  await deleteTopic(gone!);
  // A topic the session's cluster has not seen: asking its chunk refreshes the cluster's metadata.
  const [created] = await createWithRecords('created', 1);
  for (let round = 1; round <= 2; round++) {
    const spy = spied(consoleAdmin);
    const list = await listTopics(spy.admin, spy.cluster, false);
    assertListed(list, spy.count, [kept!, created!], gone!);
    assert.equal(list.some((t) => t.name === gone), false, 'a topic deleted before the list is not in it');
  }
  const [later] = await createWithRecords('later', 1);
  const read: string[] = [];
  for await (const chunk of readRanges(cluster, later!, [{ partition: 0, from: 0, to: 2 }])) read.push(...chunk.records.map((r) => String(r.value)));
  assert.deepEqual(read, ['one', 'two']);
});
