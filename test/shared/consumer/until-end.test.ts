// `untilEnd` on the real broker finishes in the two cases where the end it waited for could never be read by
// this member: partitions another member of the group is assigned, and a committed offset that retention
// deleted (older than the log start). Records need not be envelopes: the kit reports them as malformed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { createConsumerKeys, createDepartmentConsumer, type ConsumerEvent } from '../../../shared/consumer/index.js';
import type { ProfileOpener } from '../../../shared/decrypt/index.js';

/** Rejects after `ms` instead of hanging the suite: the failure these tests guard against is a hang. */
const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms: --until-end hangs`)), ms).unref())]);

describe('untilEnd finishes (real broker)', () => {
  let brokers: string[];
  let keys: ProfileOpener;
  const keysDir = mkdtempSync(join(tmpdir(), 'sealpost-until-end-'));
  const kafka = () => new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });

  async function topicWith(partitions: number, perPartition: number): Promise<string> {
    const topic = uniqueTopic('consumer-until-end');
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka().producer();
    await producer.connect();
    const messages = Array.from({ length: partitions * perPartition }, (_, i) => ({ partition: i % partitions, value: `record ${i}` }));
    await producer.send({ topic, messages });
    await producer.disconnect();
    return topic;
  }

  before(async () => {
    ({ brokers } = await ensureKafka());
    keys = createConsumerKeys({ keysDir });
  });
  after(async () => {
    await keys?.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  test('a member sharing its group with another stops at the end of the partitions it is assigned', async () => {
    const topic = await topicWith(3, 4);
    const groupId = `until-end-shared-${Date.now()}`;
    const other = kafka().consumer({ groupId, heartbeatInterval: 500, sessionTimeout: 10_000 });
    const joined = new Promise<void>((resolve) => other.on(other.events.GROUP_JOIN, () => resolve()));
    await other.connect();
    await other.subscribe({ topics: [topic], fromBeginning: false });
    await other.run({ autoCommit: false, eachMessage: async () => undefined });
    await joined;
    try {
      const events: ConsumerEvent[] = [];
      const consumer = createDepartmentConsumer({ kafka: { brokers }, topic, department: 'support', keys, groupId, fromBeginning: true, untilEnd: true, handle: (e) => void events.push(e) });
      await within(45_000, consumer.run());
      const partitions = new Set(events.map((e) => e.partition));
      assert.ok(partitions.size >= 1 && partitions.size < 3, `read ${partitions.size} of 3 partitions: the other member holds the rest`);
      assert.equal(events.length, partitions.size * 4, 'every record of its own partitions');
    } finally {
      await other.disconnect();
    }
  });

  test('a committed offset older than the log start (retention deleted it) does not leave a target nothing reaches', async () => {
    const topic = await topicWith(1, 5);
    const groupId = `until-end-retention-${Date.now()}`;
    const admin = kafka().admin();
    await admin.connect();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '5' }] });
    await admin.disconnect();
    const events: ConsumerEvent[] = [];
    const consumer = createDepartmentConsumer({ kafka: { brokers }, topic, department: 'support', keys, groupId, fromBeginning: true, untilEnd: true, handle: (e) => void events.push(e) });
    await within(30_000, consumer.run());
    assert.equal(events.length, 0, 'everything the group had not read was deleted: nothing to read, and it says so by finishing');
  });
});
