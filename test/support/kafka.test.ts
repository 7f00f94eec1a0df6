import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { portOpen } from '../../scripts/kafka/broker.mjs';
import { ensureKafka, readAll, startKafkaInstance, uniqueTopic, type KafkaInstance } from './kafka.js';

const { Kafka, logLevel } = kafkajs;

async function produce(brokers: string[], topic: string, count: number, tag: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'harness-test', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: true });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `k${i}`,
        value: `${tag}-${i}`,
        headers: { 'x-seq': String(i) },
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

describe('kafka harness', () => {
  it('shared broker: concurrent ensureKafka calls agree, and what is produced is read back with keys and headers', async () => {
    const [a, b] = await Promise.all([ensureKafka(), ensureKafka()]);
    assert.deepEqual(a.brokers, ['127.0.0.1:39092']);
    assert.deepEqual(b.brokers, a.brokers);
    const topic = uniqueTopic('harness');
    await produce(a.brokers, topic, 20, 'shared');
    const got = await readAll(a.brokers, topic, 20, 30_000);
    assert.equal(got.length, 20);
    const byValue = new Map(got.map((m) => [m.value?.toString(), m]));
    for (let i = 0; i < 20; i++) {
      const m = byValue.get(`shared-${i}`);
      assert.ok(m, `message shared-${i} missing`);
      assert.equal(m.key?.toString(), `k${i}`);
      assert.equal(m.headers['x-seq']?.toString(), String(i));
    }
    // num.partitions=6 on auto-create: 20 distinct keys land on more than one partition.
    assert.ok(new Set(got.map((m) => m.partition)).size > 1);
  });

  describe('private instance', () => {
    let inst: KafkaInstance | undefined;
    after(async () => {
      await inst?.destroy();
    });

    it('keeps its data across stop and start, and is really down in between', async () => {
      inst = await startKafkaInstance({ name: 'harness-restart', port: 39192 });
      const topic = uniqueTopic('restart');
      await produce(inst.brokers, topic, 5, 'before');
      await inst.stop();
      assert.equal(await portOpen(39192), false, 'broker still accepts connections after stop()');
      await inst.start();
      await produce(inst.brokers, topic, 1, 'after');
      const got = await readAll(inst.brokers, topic, 6, 30_000);
      assert.deepEqual(
        got.map((m) => m.value?.toString()).sort(),
        ['after-0', 'before-0', 'before-1', 'before-2', 'before-3', 'before-4'],
      );
      await inst.destroy();
      assert.equal(await portOpen(39192), false);
      inst = undefined;
    });
  });
});
