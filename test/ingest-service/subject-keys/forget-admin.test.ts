// Forgetting a person through the admin API of the real service, on the real broker, with the key records
// the service itself made for the seed batch: his keys tombstoned and the marker written, everyone else's
// untouched; the expand worker drops his cached keys (a new event gets a new key), and an event of his still
// in the journal at the forget is forwarded sealed under a key that never reaches the keys topic.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { createAdminClient, type AdminClient } from '../../../shared/aws-sign-in/index.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { forgottenRecordKey } from '../../../shared/subject-keys/index.js';
import { OWN_KEY_GRACE_MS } from '../../../ingest-service/src/subject-keys/shred-rule.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka, readAll } from '../../support/kafka.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../../support/local-decrypt.js';
import { MOTO_REGION, type MotoCredentials, type MotoServer } from '../../support/moto.js';
import { until } from '../../support/until.js';
import { startAdminService, startVerifyingMoto, type AdminTestService } from '../admin/support.js';
import { blindIndexOf, byId, eventAbout, keyIdsEverOnTopic, keysTopicState, liveKeyMap, liveKeysOf, metricValue, type ServiceKeyRecord } from './support.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
const SERVER_ID = 'forget-test';
const OPS = { account: '111111111111', role: 'ops' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isSealpostError(err)) return { code: err.code, status: err.status, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('forget a person: POST /admin/v1/subjects/forget on the real service and broker', () => {
  let brokers: string[];
  let svc: AdminTestService;
  let admin: AdminClient;
  let moto: MotoServer;
  let creds: MotoCredentials[];
  let topic: string;
  let source: string;
  let chris: string;
  let example: string;
  let chrisKeys: ServiceKeyRecord[];
  let exampleKeys: ServiceKeyRecord[];
  let forgottenAt: number;
  const forwarded = (n: number) => until(`${n} events forwarded`, () => admin.status(), (s) => s.sources.find((x) => x.id === 'sendgrid')!.forwarded === n);

  before(async () => {
    ({ brokers } = await ensureKafka());
    ({ moto, creds } = await startVerifyingMoto([OPS]));
    svc = await startAdminService({
      brokers,
      admin: { serverId: SERVER_ID, localToken: true, aws: { stsEndpoints: [moto.endpoint], roles: [{ arn: `arn:aws:sts::${OPS.account}:assumed-role/ops/*`, roles: ['operator'] }] } },
    });
    admin = svc.local();
    topic = svc.config.subjectKeys.topic;
    source = svc.config.sources[0]!.topic!;
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    await forwarded(14);
    chris = blindIndexOf(svc.dataDir, 'chris@gmail.com');
    example = blindIndexOf(svc.dataDir, 'example@test.com');
    const state = await keysTopicState(brokers, topic);
    chrisKeys = liveKeysOf(state, chris);
    exampleKeys = liveKeysOf(state, example);
  });
  after(async () => {
    await svc?.stop();
    await moto?.stop();
  });

  it('the service made the keys topic compacted, and one key per department for each person, named with its instance id', async () => {
    const kafka = new Kafka({ clientId: 't', brokers, logLevel: logLevel.NOTHING });
    const a = kafka.admin();
    await a.connect();
    const d = await a.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
    await a.disconnect();
    assert.equal(d.resources[0]!.configEntries[0]!.configValue, 'compact');
    assert.deepEqual(chrisKeys.map((k) => k.value.department).sort(), ['security', 'support']);
    assert.deepEqual(exampleKeys.map((k) => k.value.department).sort(), ['security', 'support']);
    // The instance the follower calls its own (the shred rule's second clause) is the one the workers write.
    for (const k of [...chrisKeys, ...exampleKeys]) assert.equal(k.value.instance, svc.service.instance);
  });

  it('forgets chris@gmail.com: every key the service made for him tombstoned, the marker written, example@test.com untouched; audited without the address', async () => {
    // One more event of his, received now but held in the journal (its source paused) until after the forget.
    await admin.pause('sendgrid', 'hold one event across the forget');
    assert.equal((await svc.postSendgrid(eventAbout('chris@gmail.com', 'received-before-forget'))).status, 200);
    const before = Date.now();
    const r = await admin.forgetSubject('Chris <Chris@Gmail.com>', 'DSR-2026-0042 erasure request');
    forgottenAt = Date.parse(r.forgottenAt);
    assert.equal(r.subject, chris, 'any spelling of the address is the same subject');
    assert.equal(r.keysTombstoned, 2);
    assert.deepEqual(r.departments, ['security', 'support']);
    assert.ok(forgottenAt >= before - 1000 && forgottenAt <= Date.now());

    const { latest } = await keysTopicState(brokers, topic);
    for (const k of chrisKeys) assert.equal(latest.get(k.key), null, `${k.key} is tombstoned`);
    for (const k of exampleKeys) assert.ok(latest.get(k.key)?.equals(k.raw), `${k.key} stays live`);
    const marker = JSON.parse(latest.get(forgottenRecordKey(chris))!.toString());
    assert.deepEqual(marker, { schema: 'sealpost.subject-forgotten/1', subject: chris, forgottenAt: r.forgottenAt });

    const events = (await admin.queryAudit({ action: 'forget', outcome: 'success' })).events;
    const ev = events.find((e) => e.target === `subject/${chris}`);
    assert.ok(ev, 'the forget is in the audit trail');
    assert.deepEqual(ev.details, { subject: chris, keysTombstoned: 2, departments: ['security', 'support'] });
    assert.equal(ev.actor.arn, 'local-admin');
    const page = await svc.service.metrics.registry.metrics();
    assert.equal(metricValue(page, 'sealpost_subjects_forgotten_total'), 1);
    assert.equal(metricValue(page, 'sealpost_subject_keys_tombstoned_total', 'by="forget"'), 2);
  });

  it('his event held in the journal is forwarded sealed under a key that never reaches the keys topic; his seed records no longer open, example\'s do', async () => {
    await admin.resume('sendgrid');
    await forwarded(15);
    const envelopes = byId(await readAll(brokers, source, 15, 30_000));
    const held = envelopes.get('received-before-forget')!;
    assert.equal(held.recipient, chris);
    const state = await keysTopicState(brokers, topic);
    const { messages } = state;
    const everOnTopic = keyIdsEverOnTopic(messages);
    for (const d of ['support', 'security']) {
      assert.ok(held.keys?.[d], `${d} section under a subject key`);
      assert.ok(!everOnTopic.has(held.keys![d]!), `${d}: its key was never produced, not even as a tombstone`);
    }
    // The /metrics page, which adds up the expand workers' own counters.
    const page = await (await fetch(`${svc.service.url}/metrics`)).text();
    assert.equal(metricValue(page, 'sealpost_forgotten_events_total', 'outcome="shredded"'), 1);

    // A fresh reader: every live key record from the beginning of the keys topic.
    const seed = [...envelopes.values()].filter((e) => e.id !== 'received-before-forget');
    const keys = liveKeyMap(state);
    const support = departmentKeyring(svc.dataDir, 'support');
    for (const env of seed) {
      if (env.recipient === chris) await assert.rejects(openEnvelopeSection(support, env, 'support', keys), /no key record/);
      else assert.equal((await openEnvelopeSection(support, env, 'support', keys)).plaintext.fields.email, 'example@test.com');
    }
  });

  it('the expand worker dropped his cached keys: a new event of his gets new keys, sent to the keys topic and readable', async () => {
    // A key this instance makes within OWN_KEY_GRACE_MS of applying the forget counts as made before it (docs/forget.md).
    await sleep(Math.max(0, forgottenAt + OWN_KEY_GRACE_MS + 500 - Date.now()));
    assert.equal((await svc.postSendgrid(eventAbout('chris@gmail.com', 'after-forget'))).status, 200);
    await forwarded(16);
    const env = byId(await readAll(brokers, source, 16, 30_000)).get('after-forget') as Envelope;
    const old = new Set(chrisKeys.map((k) => k.value.keyId));
    for (const d of ['support', 'security']) assert.ok(env.keys?.[d] && !old.has(env.keys[d]!), `${d}: a new key id`);
    const keys = await readSubjectKeys(brokers, topic, [env]);
    assert.equal((await openEnvelopeSection(departmentKeyring(svc.dataDir, 'support'), env, 'support', keys)).plaintext.fields.email, 'chris@gmail.com');
    const { latest } = await keysTopicState(brokers, topic);
    assert.equal(liveKeysOf({ latest }, chris).length, 2, 'his new keys are live (new data, new consent: forgotten: new-key)');
  });

  it('forgetting again tombstones his new keys; an address with no keys: 200 with 0 tombstoned, still a marker and an audit event', async () => {
    const again = await admin.forgetSubject('chris@gmail.com', 'second request');
    assert.equal(again.keysTombstoned, 2, 'the keys made after the first forget');
    const nobody = await admin.forgetSubject('nobody@nowhere.example', 'DSR-2026-0043');
    assert.equal(nobody.keysTombstoned, 0);
    assert.deepEqual(nobody.departments, []);
    const { latest } = await keysTopicState(brokers, topic);
    assert.equal(liveKeysOf({ latest }, chris).length, 0);
    assert.ok(latest.get(forgottenRecordKey(nobody.subject)), 'the marker is written even with no key');
    const targets = (await admin.queryAudit({ action: 'forget', outcome: 'success' })).events.map((e) => e.target);
    assert.ok(targets.includes(`subject/${nobody.subject}`));
    assert.equal(targets.filter((t) => t === `subject/${chris}`).length, 2);
  });

  it('refuses bad input with what to fix, and audits every refusal', async () => {
    const noReason = await fetch(`${svc.admin.url}/admin/v1/subjects/forget`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${svc.admin.localToken!.token}` },
      body: JSON.stringify({ address: 'chris@gmail.com' }),
    });
    assert.equal(noReason.status, 400);
    assert.match(((await noReason.json()) as { error: { message: string } }).error.message, /reason is required/);
    const blank = await refusal(admin.forgetSubject('chris@gmail.com', '   '));
    assert.equal(blank.status, 400);
    const notAddress = await refusal(admin.forgetSubject('Chris Smith', 'DSR-2026-0044'));
    assert.equal(notAddress.status, 400);
    assert.match(notAddress.message, /address is not an e-mail address/);
    assert.doesNotMatch(notAddress.message, /Chris Smith/, 'the refusal does not echo what was typed');

    const operator = createAdminClient({ url: svc.admin.url, serverId: SERVER_ID });
    await operator.signIn({ credentials: creds[0]!, region: MOTO_REGION, stsEndpoint: moto.endpoint });
    const denied = await refusal(operator.forgetSubject('chris@gmail.com', 'not mine to do'));
    assert.equal(denied.status, 403);
    assert.match(denied.message, /subjects:forget/);

    const failures = (await admin.queryAudit({ action: 'forget', outcome: 'failure' })).events;
    assert.equal(failures.filter((e) => e.target === 'request/invalid').length, 3, 'missing reason, blank reason, not an address');
    assert.ok(failures.some((e) => (e.details.fields as string[]).includes('body.address')));
    assert.ok(failures.some((e) => (e.details.fields as string[]).includes('body.reason')));
    const refused = (await admin.queryAudit({ action: 'forget', outcome: 'denied' })).events;
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.actor.arn, `arn:aws:sts::${OPS.account}:assumed-role/ops/test`);
  });

  it('nothing personal in the audit trail or the logs', async () => {
    const all = JSON.stringify((await admin.queryAudit({ limit: 1000 })).events);
    for (const s of ['chris@gmail.com', 'Chris@Gmail.com', 'nobody@nowhere.example', 'Chris Smith', 'DSR-2026']) assert.ok(!all.includes(s), `${s} not in the audit index`);
    const logs = svc.logs.join('');
    for (const s of ['chris@gmail.com', 'Chris@Gmail.com', 'nobody@nowhere.example', 'Chris Smith']) assert.ok(!logs.includes(s), `${s} not in the logs`);
  });
});
