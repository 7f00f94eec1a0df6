import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { createAdminClient, type AdminClient } from '../../../shared/aws-sign-in/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { forgottenRecordKey } from '../../../shared/subject-keys/index.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka } from '../../support/kafka.js';
import { MOTO_REGION, type MotoCredentials, type MotoServer } from '../../support/moto.js';
import { until } from '../../support/until.js';
import { startAdminService, startVerifyingMoto, type AdminTestService } from '../admin/support.js';
import { blindIndexOf, keyRecord, keysTopicState, metricValue, produceKeyRecords } from './support.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
const SERVER_ID = 'forget-test';
const OPS = { account: '111111111111', role: 'ops' };

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
  let chris: string;
  let example: string;
  const chrisKeys: string[] = [];
  const exampleKeys: string[] = [];

  before(async () => {
    ({ brokers } = await ensureKafka());
    ({ moto, creds } = await startVerifyingMoto([OPS]));
    svc = await startAdminService({
      brokers,
      admin: { serverId: SERVER_ID, localToken: true, aws: { stsEndpoints: [moto.endpoint], roles: [{ arn: `arn:aws:sts::${OPS.account}:assumed-role/ops/*`, roles: ['operator'] }] } },
    });
    admin = svc.local();
    topic = svc.config.subjectKeys.topic;
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    await until('the seed batch forwarded', () => admin.status(), (s) => s.sources.find((x) => x.id === 'sendgrid')!.forwarded === 14);
    chris = blindIndexOf(svc.dataDir, 'chris@gmail.com');
    example = blindIndexOf(svc.dataDir, 'example@test.com');
    // Key records as the sealing path writes them: chris has keys from two instances (a race on a new subject), example one per department.
    const recs = [
      await keyRecord(svc.dataDir, chris, 'support', { createdAt: Date.now() - 60_000 }),
      await keyRecord(svc.dataDir, chris, 'support', { createdAt: Date.now() - 59_000 }),
      await keyRecord(svc.dataDir, chris, 'security', { createdAt: Date.now() - 60_000 }),
      await keyRecord(svc.dataDir, example, 'support'),
      await keyRecord(svc.dataDir, example, 'security'),
    ];
    chrisKeys.push(...recs.slice(0, 3).map((r) => r.key));
    exampleKeys.push(...recs.slice(3).map((r) => r.key));
    await produceKeyRecords(brokers, topic, recs);
  });
  after(async () => {
    await svc?.stop();
    await moto?.stop();
  });

  it('the service made the keys topic compacted', async () => {
    const kafka = new Kafka({ clientId: 't', brokers, logLevel: logLevel.NOTHING });
    const a = kafka.admin();
    await a.connect();
    const d = await a.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
    await a.disconnect();
    assert.equal(d.resources[0]!.configEntries[0]!.configValue, 'compact');
  });

  it('forgets chris@gmail.com: every key of his tombstoned, the marker written, example@test.com untouched; audited without the address', async () => {
    const before = Date.now();
    const r = await admin.forgetSubject('Chris <Chris@Gmail.com>', 'DSR-2026-0042 erasure request');
    assert.equal(r.subject, chris, 'any spelling of the address is the same subject');
    assert.equal(r.keysTombstoned, 3);
    assert.deepEqual(r.departments, ['security', 'support']);
    assert.ok(Date.parse(r.forgottenAt) >= before - 1000 && Date.parse(r.forgottenAt) <= Date.now());

    const { latest } = await keysTopicState(brokers, topic);
    for (const k of chrisKeys) assert.equal(latest.get(k), null, `${k} is tombstoned`);
    for (const k of exampleKeys) assert.ok(latest.get(k), `${k} stays live`);
    const marker = JSON.parse(latest.get(forgottenRecordKey(chris))!.toString());
    assert.deepEqual(marker, { schema: 'sealpost.subject-forgotten/1', subject: chris, forgottenAt: r.forgottenAt });

    const events = (await admin.queryAudit({ action: 'forget', outcome: 'success' })).events;
    const ev = events.find((e) => e.target === `subject/${chris}`);
    assert.ok(ev, 'the forget is in the audit trail');
    assert.deepEqual(ev.details, { subject: chris, keysTombstoned: 3, departments: ['security', 'support'] });
    assert.equal(ev.actor.arn, 'local-admin');
    const page = await svc.service.metrics.registry.metrics();
    assert.equal(metricValue(page, 'sealpost_subjects_forgotten_total'), 1);
    assert.equal(metricValue(page, 'sealpost_subject_keys_tombstoned_total', 'by="forget"'), 3);
  });

  it('forgetting again, or an address with no keys: 200 with 0 tombstoned, still a marker and an audit event', async () => {
    assert.equal((await admin.forgetSubject('chris@gmail.com', 'second request')).keysTombstoned, 0);
    const nobody = await admin.forgetSubject('nobody@nowhere.example', 'DSR-2026-0043');
    assert.equal(nobody.keysTombstoned, 0);
    assert.deepEqual(nobody.departments, []);
    const { latest } = await keysTopicState(brokers, topic);
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
