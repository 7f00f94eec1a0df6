// bench:consume's plain reader on the real broker: asked for fewer records than the topic holds, over partitions
// consumed concurrently and a slow handler (the stock decrypt() loop), it hands over exactly that many, each once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { rawRead } from '../../../scripts/bench/raw-read.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';

test('rawRead hands over exactly `limit` distinct records when partitions are read concurrently', { timeout: 60_000 }, async () => {
  const { brokers } = await ensureKafka();
  const topic = uniqueTopic('bench-raw-read');
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => ({ value: `r${i}`, partition: i % 3 })) });
  await producer.disconnect();

  const seen: string[] = [];
  await rawRead(brokers, topic, 30, async (messages) => {
    await new Promise((r) => setTimeout(r, 50)); // as slow as a decrypt loop: the other partitions' batches arrive meanwhile
    for (const m of messages) seen.push(m.value!.toString());
  });
  assert.equal(seen.length, 30);
  assert.equal(new Set(seen).size, 30);
});
