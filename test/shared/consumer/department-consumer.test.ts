// The department consumer over the real broker with KMS keys on moto (IAM enforced): support's profile opens
// support's sections only, a profile without kms:Decrypt gets access_denied per record and keeps going, duplicates
// are dropped, offsets are committed only after the handler, and a restart resumes where the handler stopped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../kms/moto-kms.js';
import { staticProfilesHome, enforceIam, fieldsFor, iamUser, sealEnvelopes } from '../decrypt/fixtures.js';
import {
  CONSUMER_ERRORS,
  createConsumerKeys,
  createDepartmentConsumer,
  verifyIdentity,
  type ConsumerEvent,
} from '../../../shared/consumer/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import type { ProfileOpener } from '../../../shared/decrypt/index.js';

const ACCOUNT = '222222222222';
const SECURITY_ACCOUNT = '333333333333';
const COUNT = 40;

describe('department consumer (real broker, KMS on moto with IAM)', () => {
  let moto: MotoServer;
  let brokers: string[];
  let home: string;
  let topic: string;
  let ids: string[];
  let envelopes: Awaited<ReturnType<typeof sealEnvelopes>>;
  const kafka = () => new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const openers: ProfileOpener[] = [];
  const keysFor = (profile: string) => {
    const k = createConsumerKeys({ profile, accountIds: [ACCOUNT], region: MOTO_REGION, kmsEndpoint: moto.endpoint, stsEndpoint: moto.endpoint });
    openers.push(k);
    return k;
  };

  before(async () => {
    ({ brokers } = await ensureKafka());
    moto = await startMoto();
    const supportKey = await createKeyIn(moto.endpoint, ACCOUNT);
    const securityKey = await createKeyIn(moto.endpoint, SECURITY_ACCOUNT);
    envelopes = await sealEnvelopes({
      policy: { departments: { support: { keys: [{ kms: supportKey }] }, security: { keys: [{ kms: securityKey }] } } },
      count: COUNT,
      endpoint: moto.endpoint,
    });
    // Analytics: an event whose policy grants it nothing has no analytics section at all.
    ids = envelopes.map((e) => e.id);
    const reader = await iamUser(moto.endpoint, ACCOUNT, 'support-reader', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'sts:GetCallerIdentity'], Resource: '*' }],
    });
    const intern = await iamUser(moto.endpoint, ACCOUNT, 'intern', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kms:DescribeKey', 'sts:GetCallerIdentity'], Resource: '*' }],
    });
    ({ home } = staticProfilesHome(MOTO_REGION, { support: reader, intern }));
    await enforceIam(moto.endpoint);
    topic = uniqueTopic('consumer-kit');
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka().producer();
    await producer.connect();
    // Keys spread the events over the 3 partitions; the event 3 is delivered twice (at least once upstream).
    const values = envelopes.map((e, i) => ({ key: `k${i % 5}`, value: JSON.stringify(e) }));
    values.push({ key: 'k3', value: JSON.stringify(envelopes[3]) });
    await producer.send({ topic, messages: values });
    await producer.disconnect();
  });
  after(async () => {
    for (const o of openers) await o.close();
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function consumeAll(profile: string, extra: { department?: string; groupId?: string; topic?: string; handle?: (e: ConsumerEvent) => void | Promise<void> } = {}) {
    const events: ConsumerEvent[] = [];
    const keys = keysFor(profile);
    const consumer = createDepartmentConsumer({
      kafka: { brokers },
      topic: extra.topic ?? topic,
      department: extra.department ?? 'support',
      keys,
      fromBeginning: true,
      untilEnd: true,
      ...(extra.groupId ? { groupId: extra.groupId } : {}),
      async handle(e) {
        await extra.handle?.(e);
        events.push(e);
      },
    });
    const stats = await consumer.run();
    return { events, stats, keys };
  }

  test('support opens its own sections, each event once in order per partition, with a bounded number of KMS calls', async () => {
    const { events, stats, keys } = await consumeAll('support');
    assert.equal(events.length, COUNT, 'the repeat of event 3 is dropped');
    assert.equal(stats.duplicates, 1);
    assert.deepEqual(new Set(events.map((e) => e.envelope!.id)), new Set(ids));
    for (const e of events) {
      assert.equal(e.state, 'open', e.state === 'locked' ? e.locked.message : '');
      const i = ids.indexOf(e.envelope!.id);
      assert.deepEqual(e.state === 'open' && e.fields, fieldsFor('support', i));
    }
    const byPartition = new Map<number, bigint[]>();
    for (const e of events) byPartition.set(e.partition, [...(byPartition.get(e.partition) ?? []), BigInt(e.offset)]);
    for (const offsets of byPartition.values()) assert.deepEqual(offsets, [...offsets].sort((a, b) => (a < b ? -1 : 1)));
    const decrypts = keys.kmsCalls().byOperation.Decrypt ?? 0;
    assert.ok(decrypts >= 1 && decrypts <= 3, `KMS Decrypt calls bounded by the data-key cache, not one per record: ${decrypts}`);
  });

  test('a profile without kms:Decrypt gets access_denied on every record and reads to the end', async () => {
    const { events, stats, keys } = await consumeAll('intern');
    assert.equal(events.length, COUNT + 1, 'a locked record is never taken as a repeat (its id is unverified): the copy of event 3 is reported too');
    for (const e of events) {
      assert.equal(e.state, 'locked');
      assert.equal(e.state === 'locked' && e.locked.reason, 'access_denied');
      assert.match(e.state === 'locked' ? e.locked.message : '', /profile intern .* may not use key .*ask for kms:Decrypt/);
    }
    assert.deepEqual(stats.locked, { access_denied: COUNT + 1 });
    assert.ok((keys.kmsCalls().byOperation.Decrypt ?? 0) <= 3, 'the denial is remembered, not asked per record');
  });

  test('support reading security (a key in another account): each record locked key_not_found, KMS never asked, and it reads to the end', async () => {
    const { events, keys } = await consumeAll('support', { department: 'security' });
    assert.equal(events.length, COUNT + 1);
    for (const e of events) {
      assert.equal(e.state, 'locked');
      assert.equal(e.state === 'locked' && e.locked.reason, 'key_not_found', e.state === 'locked' ? e.locked.message : '');
      assert.match(e.state === 'locked' ? e.locked.message : '', new RegExp(`account ${SECURITY_ACCOUNT}, outside the accounts .*${ACCOUNT}`));
    }
    assert.equal(keys.kmsCalls().total, 0, 'no KMS call leaves the trusted accounts');
  });

  test('KMS keys without the accounts to trust are refused (no unfiltered discovery)', () => {
    assert.throws(
      () => createConsumerKeys({ profile: 'support', region: MOTO_REGION, kmsEndpoint: moto.endpoint }),
      (err: unknown) => isSealpostError(err, CONSUMER_ERRORS.badOptions) && /accountIds|--account/.test((err as Error).message),
    );
  });

  test('a forged copy and a stripped copy carrying a genuine id, read first, do not hide the genuine event', async () => {
    const genuine = envelopes[5]!;
    const forged = { ...genuine, sections: { ...genuine.sections, support: envelopes[6]!.sections.support! } };
    const { support: _dropped, ...others } = genuine.sections;
    const stripped = { ...genuine, sections: others };
    const forgedTopic = uniqueTopic('consumer-kit-forged');
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: forgedTopic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic: forgedTopic, messages: [forged, stripped, genuine, genuine].map((e) => ({ key: 'same', value: JSON.stringify(e) })) });
    await producer.disconnect();
    const { events, stats } = await consumeAll('support', { topic: forgedTopic });
    assert.deepEqual(
      events.map((e) => (e.state === 'locked' ? e.locked.reason : e.hasSection ? 'opened' : 'no section')),
      ['id_mismatch', 'no section', 'opened'],
      'the genuine event is delivered once, its real repeat dropped',
    );
    assert.deepEqual(events[2]!.state === 'open' && events[2]!.fields, fieldsFor('support', 5));
    assert.equal(stats.duplicates, 1);
  });

  test('a handler failure stops the consumer without committing that event; a restart resumes from it, losing nothing', async () => {
    const groupId = `kit-restart-${Date.now()}`;
    let handled = 0;
    const first: string[] = [];
    await assert.rejects(
      consumeAll('support', {
        groupId,
        handle: (e) => {
          if (handled === 17) throw new Error('the application crashed');
          handled += 1;
          first.push(e.envelope!.id);
        },
      }),
      (err: unknown) => isSealpostError(err, CONSUMER_ERRORS.handlerFailed),
    );
    assert.equal(first.length, 17);
    const second = await consumeAll('support', { groupId });
    const again = second.events.map((e) => e.envelope!.id);
    assert.equal(new Set([...first, ...again]).size, COUNT, 'every event handled across the restart');
    // Only what was not handled is read again; the repeat of event 3 comes back when its original was handled
    // before the crash (the dedupe window is per process: docs/consumers.md).
    const repeat = first.includes(ids[3]!) && again.includes(ids[3]!) ? 1 : 0;
    assert.equal(again.length, COUNT - first.length + repeat);
    assert.deepEqual(again.filter((id) => first.includes(id) && id !== ids[3]), []);
  });

  test('a profile that cannot authenticate is refused before reading, with what to do', async () => {
    await assert.rejects(
      verifyIdentity({ profile: 'nobody', region: MOTO_REGION, stsEndpoint: moto.endpoint }),
      (err: unknown) => isSealpostError(err, CONSUMER_ERRORS.cannotAuthenticate) && /profile nobody cannot authenticate/.test((err as Error).message),
    );
    assert.match(await verifyIdentity({ profile: 'support', region: MOTO_REGION, stsEndpoint: moto.endpoint }), /user\/support-reader/);
  });
});
