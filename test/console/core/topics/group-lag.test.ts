import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../../../support/kafka.js';
import { groupLag } from '../../../../electron/core/topics/topic-admin.js';

// A busy cluster holds hundreds of consumer groups. Kafka cannot list groups by topic, so the lag view asks every
// group; it once asked only the first 500 the broker listed, and the rest were missing from Partitions & lag.

const GROUPS = 520;
let admin: kafkajs.Admin;
let topic: string;
const groupIds: string[] = [];

before(async () => {
  const { brokers } = await ensureKafka();
  admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  topic = uniqueTopic('group-lag');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  for (let i = 0; i < GROUPS; i++) groupIds.push(`${topic}-g${i}`);
  for (let i = 0; i < GROUPS; i += 130) {
    await Promise.all(groupIds.slice(i, i + 130).map((groupId) => admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] })));
  }
});

after(async () => {
  for (let i = 0; i < groupIds.length; i += 100) await admin.deleteGroups(groupIds.slice(i, i + 100)).catch(() => {});
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
});

test('every group that committed on the topic is listed, past the first 500 of the cluster', async () => {
  const lag = await groupLag(admin, topic);
  const listed = new Set(lag.map((g) => g.groupId));
  const missing = groupIds.filter((g) => !listed.has(g));
  assert.deepEqual(missing, []);
  assert.equal(lag.length, GROUPS);
});
