import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createKafka, createKafkaSink, type SinkRecord } from '../../../ingest-service/src/kafka/index.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';

/** A pino logger writing into an array, so tests can see where kafkajs' logs went. */
function captureLog(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, dest), lines };
}

const settings = (brokers: string[]) => ({ brokers, clientId: 'sealpost-sink-test', ssl: false as const, createTopics: true, partitions: 3, replicationFactor: -1 });

test('records reach the real broker: grouped by topic, in order per key, with headers; topics created with the configured partitions', async () => {
  const { brokers } = await ensureKafka();
  const { log } = captureLog();
  const kafka = createKafka(settings(brokers), log);
  const sink = createKafkaSink({ kafka, log, createTopics: true, partitions: 3, replicationFactor: -1 });
  const [ta, tb] = [uniqueTopic('sink-a'), uniqueTopic('sink-b')];
  try {
    const records: SinkRecord[] = [];
    for (let i = 0; i < 60; i++) {
      records.push({ topic: i % 3 ? ta : tb, key: `k${i % 5}`, value: Buffer.from(JSON.stringify({ i })), headers: { 'sealpost-source': 'src', n: String(i) } });
    }
    await sink.send(records);
    assert.equal(sink.healthy(), true);
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [ta] });
    await admin.disconnect();
    assert.equal(meta.topics[0]!.partitions.length, 3);

    const got = [...(await readAll(brokers, ta, 40)), ...(await readAll(brokers, tb, 20))];
    assert.equal(got.length, 60);
    const byKey = new Map<string, number[]>();
    for (const m of got) {
      assert.equal(m.headers['sealpost-source']?.toString(), 'src');
      const i = (JSON.parse(m.value!.toString()) as { i: number }).i;
      assert.equal(m.headers.n?.toString(), String(i));
      const k = `${m.key!.toString()}|${m.partition}|${i % 3 ? 'a' : 'b'}`;
      byKey.set(k, [...(byKey.get(k) ?? []), i]);
    }
    for (const [k, seq] of byKey) assert.deepEqual(seq, [...seq].sort((x, y) => x - y), `key ${k} out of order`);
  } finally {
    await sink.disconnect();
  }
});

test('a batch larger than one request is split into consecutive requests and still arrives complete and in order', async () => {
  const { brokers } = await ensureKafka();
  const { log } = captureLog();
  const sink = createKafkaSink({ kafka: createKafka(settings(brokers), log), log, createTopics: true, partitions: 1, replicationFactor: -1, maxRequestBytes: 20_000 });
  const topic = uniqueTopic('sink-chunks');
  try {
    const records = Array.from({ length: 100 }, (_, i) => ({ topic, key: 'one-key', value: Buffer.alloc(1000, 48 + (i % 10)), headers: { i: String(i) } }));
    await sink.send(records);
    const got = await readAll(brokers, topic, 100);
    assert.deepEqual(got.map((m) => Number(m.headers.i?.toString())), records.map((_, i) => i));
  } finally {
    await sink.disconnect();
  }
});

test('broker away: send rejects retriable SP_KAFKA_SEND_FAILED, healthy() turns false, kafkajs logs go to our logger, not the console', async () => {
  const { log, lines } = captureLog();
  const consoleCalls: unknown[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info };
  console.log = console.error = console.warn = console.info = (...a: unknown[]) => void consoleCalls.push(a);
  const sink = createKafkaSink({ kafka: createKafka(settings(['127.0.0.1:1']), log), log, createTopics: true, partitions: 1, replicationFactor: -1 });
  try {
    const t0 = Date.now();
    await assert.rejects(sink.send([{ topic: 'nowhere', key: 'k', value: Buffer.from('v'), headers: {} }]), (e: { code: string; retriable: boolean }) => {
      return e.code === 'SP_KAFKA_SEND_FAILED' && e.retriable === true;
    });
    assert.ok(Date.now() - t0 < 15_000, 'fails within seconds, leaving retries to the forwarder');
    assert.equal(sink.healthy(), false);
    // And again: a second attempt after a failure works the same (fresh producer), nothing crashes.
    await assert.rejects(sink.send([{ topic: 'nowhere', key: 'k', value: Buffer.from('v'), headers: {} }]));
  } finally {
    Object.assign(console, saved);
    await sink.disconnect();
  }
  assert.deepEqual(consoleCalls, []);
  assert.ok(lines.some((l) => typeof l.kafkajs === 'string'), 'kafkajs log entries arrive in pino with their namespace');
});

test('createTopics off: a missing topic is an error naming it, not an auto-created topic', async () => {
  const { brokers } = await ensureKafka();
  const { log } = captureLog();
  const sink = createKafkaSink({ kafka: createKafka(settings(brokers), log), log, createTopics: false, partitions: 1, replicationFactor: -1 });
  const topic = uniqueTopic('sink-missing');
  try {
    await assert.rejects(sink.send([{ topic, key: 'k', value: Buffer.from('v'), headers: {} }]), (e: { code: string; message: string }) => {
      return e.code === 'SP_KAFKA_TOPIC_MISSING' && e.message.includes(topic);
    });
  } finally {
    await sink.disconnect();
  }
});

test('unreadable TLS files are a start-up error naming the setting', () => {
  const { log } = captureLog();
  assert.throws(
    () => createKafka({ ...settings(['127.0.0.1:9093']), ssl: { ca: '/nonexistent/ca.pem', rejectUnauthorized: true } }, log),
    (e: { code: string; message: string }) => e.code === 'SP_KAFKA_CONFIG' && e.message.includes('kafka.ssl.ca'),
  );
});

test('a topic with required configs (the subject-keys topic) is created compacted; an existing one without them is refused until fixed', async () => {
  const { brokers } = await ensureKafka();
  const { log } = captureLog();
  const kafka = createKafka(settings(brokers), log);
  const [created, existing] = [uniqueTopic('sink-keys'), uniqueTopic('sink-keys-old')];
  const topicConfigs = { [created]: { 'cleanup.policy': 'compact' }, [existing]: { 'cleanup.policy': 'compact' } };
  const admin = kafka.admin();
  await admin.connect();
  const cleanupPolicy = async (topic: string): Promise<string | undefined> => {
    const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }] });
    return d.resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
  };
  try {
    const sink = createKafkaSink({ kafka, log, createTopics: true, partitions: 3, replicationFactor: -1, topics: [created], topicConfigs });
    await sink.connect();
    assert.equal(await cleanupPolicy(created), 'compact');
    await sink.disconnect();

    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: existing, numPartitions: 1 }] });
    const strict = createKafkaSink({ kafka, log, createTopics: true, partitions: 3, replicationFactor: -1, topicConfigs });
    const record = { topic: existing, key: 'key/s/support/k', value: Buffer.from('{}'), headers: {} };
    await assert.rejects(strict.send([record]), (err: { code?: string; retriable?: boolean; message?: string }) => {
      assert.equal(err.code, 'SP_KAFKA_TOPIC_CONFIG');
      assert.equal(err.retriable, true, 'records wait in the journal');
      assert.match(err.message!, /cleanup\.policy=delete but needs cleanup\.policy=compact/);
      return true;
    });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: existing, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await strict.send([record]);
    assert.equal((await readAll(brokers, existing, 1)).length, 1);
    await strict.disconnect();
  } finally {
    await admin.deleteTopics({ topics: [created, existing] }).catch(() => {});
    await admin.disconnect();
  }
});
