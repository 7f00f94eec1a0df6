// The keys-topic follower on the real broker: reads every partition from the beginning before ready() resolves, applies
// a tombstone while running (telling holders of opened keys), sees a key written after it caught up on refresh(), and
// reports a missing topic without creating it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { FORGOTTEN_SCHEMA, followKeysTopic, forgottenRecordKey, subjectKeyRecordKey, SUBJECT_KEY_SCHEMA, type KeysTopicFollower } from '../../../shared/subject-keys/index.js';
import { produceKeys, type KeysRecord } from './v2-fixtures.js';

const record = (subject: string, department: string): KeysRecord & { keyId: string; subject: string; department: string } => {
  const keyId = randomBytes(16).toString('base64url');
  const value = { schema: SUBJECT_KEY_SCHEMA, subject, department, keyId, createdAt: new Date().toISOString(), instance: 'test', sealed: 'AA==' };
  return { keyId, subject, department, key: subjectKeyRecordKey(subject, department, keyId), value: JSON.stringify(value) };
};
const held = (f: KeysTopicFollower, r: ReturnType<typeof record>) => f.key(r.keyId, r.department, r.subject);

/**
 * The real client, except that the follower's batches wait for `gate` before they are handed over: the test decides
 * when a record the broker already has reaches the book (the moment between a key's write and its read, which is what
 * refresh() must wait through), without guessing at fetch timings.
 */
function gatedKafka(kafka: InstanceType<typeof kafkajs.Kafka>) {
  let open = true;
  let release: () => void = () => {};
  let opened = Promise.resolve();
  const gated = Object.create(kafka) as InstanceType<typeof kafkajs.Kafka>;
  gated.consumer = (config) => {
    const c = kafka.consumer(config);
    const run = c.run.bind(c);
    c.run = (cfg) =>
      run({
        ...cfg,
        eachBatch: async (payload) => {
          if (!open) await opened;
          return cfg!.eachBatch!(payload);
        },
      });
    return c;
  };
  return {
    kafka: gated,
    close() {
      open = false;
      opened = new Promise((r) => (release = r));
    },
    open() {
      open = true;
      release();
    },
  };
}

describe('followKeysTopic (real broker)', { timeout: 90_000 }, () => {
  let brokers: string[];
  let kafka: InstanceType<typeof kafkajs.Kafka>;
  const followers: KeysTopicFollower[] = [];
  const follow = (topic: string) => {
    const f = followKeysTopic({ kafka, topic });
    followers.push(f);
    return f;
  };
  before(async () => {
    ({ brokers } = await ensureKafka());
    kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  });
  after(async () => {
    for (const f of followers) await f.close();
  });

  test('ready() holds every key of every partition; a tombstone read while running drops the key and tells the listeners', async () => {
    const topic = uniqueTopic('keys-follow');
    const records = Array.from({ length: 40 }, (_, i) => record(`subject${i}`, i % 2 ? 'support' : 'security'));
    await produceKeys(brokers, topic, records);
    const f = follow(topic);
    await f.ready();
    assert.equal(f.problem(), undefined);
    for (const r of records) assert.equal(held(f, r)?.subject, r.subject);
    const dropped: string[] = [];
    f.onDrop((k) => k && dropped.push(k));
    const t0 = Date.now();
    await produceKeys(brokers, topic, [{ key: records[7]!.key, value: null }], false);
    await until('the tombstone applied', () => held(f, records[7]!), (k) => k === undefined, { timeoutMs: 10_000 });
    assert.ok(Date.now() - t0 < 5_000, `applied after ${Date.now() - t0} ms`);
    assert.deepEqual(dropped, [records[7]!.key]);
    assert.equal(f.shredded(records[7]!.keyId, records[7]!.department, records[7]!.subject), true);
  });

  test('refresh() waits for a key the broker has but the reader has not fetched yet, for every miss, however close together', async () => {
    const topic = uniqueTopic('keys-follow-late');
    await produceKeys(brokers, topic, [record('early', 'support')]);
    const gate = gatedKafka(kafka);
    const f = followKeysTopic({ kafka: gate.kafka, topic });
    followers.push(f);
    await f.ready();
    await new Promise((r) => setTimeout(r, 2_100)); // quiet for longer than idleMs: a reader that trusts old silence stops here
    // Two records written at once, missed by two sections of one open() (concurrent refreshes).
    const late = [record('late1', 'support'), record('late2', 'security')];
    gate.close();
    await produceKeys(brokers, topic, late, false);
    const waits = late.map(() => f.refresh());
    setTimeout(() => gate.open(), 400).unref();
    await Promise.all(waits);
    for (const r of late) assert.equal(held(f, r)?.subject, r.subject, `${r.subject} read before refresh() returned`);
    // Right after: another late key, another miss (no "refreshed a moment ago" shortcut).
    const later = record('later', 'support');
    gate.close();
    await produceKeys(brokers, topic, [later], false);
    const wait = f.refresh();
    setTimeout(() => gate.open(), 400).unref();
    await wait;
    assert.equal(held(f, later)?.subject, 'later');
  });

  test("a book for some departments keeps only their key records (memory), and still every forget marker", async () => {
    const topic = uniqueTopic('keys-follow-dept');
    const records = Array.from({ length: 30 }, (_, i) => record(`subject${i}`, ['support', 'security', 'sales'][i % 3]!));
    const marker = { key: forgottenRecordKey('subject3'), value: JSON.stringify({ schema: FORGOTTEN_SCHEMA, subject: 'subject3', forgottenAt: new Date().toISOString() }) };
    await produceKeys(brokers, topic, [...records, marker]);
    const f = followKeysTopic({ kafka, topic, departments: ['support'] });
    followers.push(f);
    await f.ready();
    assert.equal(f.book.stats().keys, 10);
    for (const r of records) assert.equal(held(f, r)?.subject, r.department === 'support' ? r.subject : undefined);
    assert.ok(f.forgottenAt('subject3'));
  });

  test('a keys topic that does not exist is reported, not created', async () => {
    const topic = uniqueTopic('keys-missing');
    const f = follow(topic);
    await f.ready();
    assert.match(f.problem() ?? '', new RegExp(`keys topic ${topic} does not exist`));
    const admin = kafka.admin();
    await admin.connect();
    assert.equal((await admin.listTopics()).includes(topic), false);
    await admin.disconnect();
  });
});
