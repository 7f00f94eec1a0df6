import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startKafkaInstance, uniqueTopic, type KafkaInstance } from '../../../support/kafka.js';
import { unsafeRawCluster, type RawCluster } from '../../../../electron/core/kafka/raw-fetch.js';
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
  cluster = unsafeRawCluster(kafka);
  await cluster.connect();
});

after(async () => {
  await cluster?.disconnect();
  await admin?.disconnect();
  await broker?.destroy();
});

test('the topic list counts records (high - low, after deletions) with a few bulk requests, not two per topic', async () => {
  let bulk = 0;
  let perTopic = 0;
  const spyCluster: RawCluster = Object.assign(Object.create(cluster) as RawCluster, {
    fetchTopicsOffset: (...args: Parameters<RawCluster['fetchTopicsOffset']>) => (bulk++, cluster.fetchTopicsOffset(...args)),
  });
  const spyAdmin = Object.assign(Object.create(admin) as kafkajs.Admin, {
    fetchTopicOffsets: (topic: string) => (perTopic++, admin.fetchTopicOffsets(topic)),
  });
  const list = await listTopics(spyAdmin, spyCluster, false);
  const byName = new Map(list.map((t) => [t.name, t]));
  assert.deepEqual(byName.get(counted.topic), { name: counted.topic, partitions: 3, replicationFactor: 1, records: 10 + 16 + 30, internal: false });
  assert.equal(byName.get(many[7]!)?.records, 2);
  assert.equal(many.filter((t) => byName.get(t)?.records === 0).length, MANY - 1);
  assert.equal(perTopic, 0, 'no per-topic ListOffsets');
  // Two requests (earliest, latest) per chunk of 500 topics.
  assert.equal(bulk, 2 * Math.ceil(list.length / 500));
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
