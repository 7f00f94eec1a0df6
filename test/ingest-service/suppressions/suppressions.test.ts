import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventsSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { SUPPRESSION_SCHEMA, type SuppressionValue } from '../../../ingest-service/src/suppressions/suppression-state.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { SEED_BATCH, startTestService, tempDataDir, type TestService } from '../../support/ingest.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../../support/local-decrypt.js';
import { createSnsSigner, type SnsSigner } from '../../support/sns-signer.js';
import { until } from '../../support/until.js';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/ses/${name}.json`, import.meta.url), 'utf8');
const CHECK_SECRET = randomBytes(32).toString('base64url');
const SEED_SINCE = new Date(1631577204 * 1000).toISOString();

interface CheckAnswer {
  results: { suppressed: boolean; reasons: string[]; since: string | null }[];
}

/** POSTs a check signed with the check secret (or another one). */
async function check(svc: TestService, body: unknown, secret = CHECK_SECRET): Promise<{ status: number; json: CheckAnswer & { error?: { code: string; details?: { reason?: string } } } }> {
  const buf = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const res = await fetch(`${svc.service.url}/v1/suppressions/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...eventsSignedHeaders(secret, buf) }, body: new Uint8Array(buf) });
  return { status: res.status, json: (await res.json()) as CheckAnswer & { error?: { code: string; details?: { reason?: string } } } };
}

describe('the suppression list, end to end on the real broker', () => {
  let brokers: string[];
  let signer: SnsSigner;
  let a: TestService;
  let b: TestService | undefined;
  const topic = uniqueTopic('supp');
  const overrides = (): Parameters<typeof startTestService>[0] => ({
    brokers,
    overrides: { suppressions: { topic, check: { verify: { hmacSecret: CHECK_SECRET } } } },
    extraSources: [{ id: 'ses', kind: 'sns', topic: uniqueTopic('ses'), verify: { topicArns: [TOPIC_ARN], certDir: signer.certDir, fetchCertificates: false, subscription: 'log' } }],
  });

  before(async () => {
    ({ brokers } = await ensureKafka());
    signer = createSnsSigner();
    a = await startTestService(overrides());
    assert.equal((await a.postSendgrid(SEED_BATCH)).status, 200);
    for (const [name, id] of [['bounce', 'ses-bounce-1'], ['complaint', 'ses-complaint-1']] as const) {
      const body = signer.notification({ topicArn: TOPIC_ARN, message: fixture(name), version: 2, messageId: id });
      const res = await fetch(`${a.service.url}/v1/sns/ses`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-amz-sns-message-type': 'Notification' }, body: JSON.stringify(body) });
      assert.equal(res.status, 200);
    }
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    signer?.cleanup();
  });

  const seedAnswers = async (svc: TestService): Promise<CheckAnswer> => {
    const r = await until(
      'the seed batch on the suppression list',
      () => check(svc, { addresses: ['example@test.com', 'chris@gmail.com', ' Example@Test.com ', 'recipient@example.com'] }),
      (r) => r.status === 200 && r.json.results[0]!.reasons.length === 4 && r.json.results[3]!.reasons.length === 2,
    );
    return r.json;
  };

  it('suppresses example@test.com (bounce, dropped, spamreport, unsubscribe) and not chris@gmail.com; SES bounce and complaint count', async () => {
    const { results } = await seedAnswers(a);
    assert.deepEqual(results[0], { suppressed: true, reasons: ['bounce', 'dropped', 'spamreport', 'unsubscribe'], since: SEED_SINCE });
    assert.deepEqual(results[1], { suppressed: false, reasons: [], since: null });
    assert.deepEqual(results[2], results[0], 'any spelling of the address finds the same entry');
    assert.deepEqual(results[3], { suppressed: true, reasons: ['bounce', 'complaint'], since: '2017-08-05T00:41:02.669Z' });
  });

  it('group 10: group_unsubscribe then group_resubscribe (later in the batch) leaves no group suppression', async () => {
    await seedAnswers(a);
    const { json } = await check(a, { addresses: ['example@test.com', 'chris@gmail.com'], group: 10 });
    assert.deepEqual(json.results[0]!.reasons, ['bounce', 'dropped', 'spamreport', 'unsubscribe'], 'the global reasons, and no group_unsubscribe');
    assert.equal(json.results[1]!.suppressed, false);
  });

  it('a group_unsubscribe that is not lifted suppresses for its group only', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const batch = [{ email: 'grouped@example.org', event: 'group_unsubscribe', asm_group_id: 20, timestamp: ts, sg_event_id: `g-${randomBytes(6).toString('hex')}` }];
    assert.equal((await a.postSendgrid(JSON.stringify(batch))).status, 200);
    const r = await until('the group suppression', () => check(a, { addresses: ['grouped@example.org'], group: 20 }), (r) => r.json.results?.[0]?.suppressed === true);
    assert.deepEqual(r.json.results[0], { suppressed: true, reasons: ['group_unsubscribe'], since: new Date(ts * 1000).toISOString() });
    assert.equal((await check(a, { addresses: ['grouped@example.org'] })).json.results[0]!.suppressed, false, 'not for every mail');
    assert.equal((await check(a, { addresses: ['grouped@example.org'], group: 21 })).json.results[0]!.suppressed, false, 'not for another group');
  });

  it('holds no address in clear in the topic; the address is sealed for the departments granted the recipient', async () => {
    await seedAnswers(a);
    const records = await readAll(brokers, topic, 8, 20_000);
    assert.ok(records.length >= 8, `suppression records in ${topic}: ${records.length}`);
    for (const r of records) {
      const bytes = Buffer.concat([r.key ?? Buffer.alloc(0), r.value ?? Buffer.alloc(0)]).toString('latin1').toLowerCase();
      for (const needle of ['example@test.com', 'chris@gmail.com', 'recipient@example.com', 'grouped@example.org', 'test.com', 'gmail']) assert.ok(!bytes.includes(needle), `no "${needle}" in a record`);
    }
    const value = JSON.parse(records.find((r) => !r.key!.toString().includes('/group/'))!.value!.toString()) as SuppressionValue;
    assert.equal(value.schema, SUPPRESSION_SCHEMA);
    assert.deepEqual(Object.keys(value.sections).sort(), ['security', 'support'], 'analytics is not granted the recipient');
    // Sealed under the person's subject keys, as the event's own sections (a forget shreds it: suppression-forget.test.ts).
    const envelope = { schema: 'sealpost.envelope/2', id: value.sealedId, source: value.sealedSource, kind: 'sendgrid', type: 'suppression', time: '', receivedAt: '', policyVersion: value.policyVersion, recipient: value.subject, clear: {}, sections: value.sections, keys: value.keys! } as const;
    const opened = await openEnvelopeSection(departmentKeyring(a.dataDir, 'support'), envelope, 'support', await readSubjectKeys(brokers, a.config.subjectKeys.topic, [envelope]));
    assert.equal(opened.plaintext.id, value.sealedId);
    assert.match(String(opened.plaintext.fields.address), /^(example@test\.com|recipient@example\.com|grouped@example\.org)$/);
    assert.equal(statSync(join(a.dataDir, 'suppressions.db')).mode & 0o077, 0, 'the view is owner-only');
  });

  it('a second instance started afterwards answers the same from the topic', async () => {
    const first = await seedAnswers(a);
    const dataDir = tempDataDir();
    cpSync(join(a.dataDir, 'keys'), join(dataDir, 'keys'), { recursive: true }); // same blind-index and department keys
    b = await startTestService({ ...overrides(), dataDir });
    await b.service.suppressions!.follower.waitReady(30_000);
    const second = await check(b, { addresses: ['example@test.com', 'chris@gmail.com', ' Example@Test.com ', 'recipient@example.com'] });
    assert.equal(second.status, 200);
    assert.deepEqual(second.json, first);
    assert.deepEqual((await check(b, { addresses: ['grouped@example.org'], group: 20 })).json.results[0]!.reasons, ['group_unsubscribe']);
  });

  it('refuses bad input with a clear 4xx, counted by reason, and never logs an address', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => `u${i}@example.com`);
    const cases: [unknown, string | undefined, number, string][] = [
      [{ addresses: many }, undefined, 400, 'too_many_addresses'],
      [{ addresses: ['ok@example.com', 42] }, undefined, 400, 'not_a_string'],
      [{ addresses: [] }, undefined, 400, 'empty_list'],
      [{ addresses: ['example@test.com'] }, randomBytes(32).toString('base64url'), 401, 'bad_signature'],
      ['{"addresses": [', undefined, 400, 'invalid_json'],
      [{ addresses: ['a@example.com'], group: 'ten' }, undefined, 400, 'invalid_group'],
    ];
    for (const [body, secret, status, reason] of cases) {
      const r = await check(a, body, secret);
      assert.equal(r.status, status, `${reason}: ${JSON.stringify(r.json).slice(0, 200)}`);
      assert.equal(r.json.error?.details?.reason, reason);
    }
    const unsigned = await fetch(`${a.service.url}/v1/suppressions/check`, { method: 'POST', body: '{"addresses":["example@test.com"]}' });
    assert.equal(unsigned.status, 401);
    const metrics = await (await fetch(`${a.service.url}/metrics`)).text();
    for (const [, , , reason] of cases) assert.match(metrics, new RegExp(`sealpost_suppression_checks_total\\{outcome="${reason}"\\} 1`));
    assert.match(metrics, /sealpost_suppression_checks_total\{outcome="missing_credentials"\} 1/);
    assert.match(metrics, /sealpost_suppression_checks_total\{outcome="ok"\} \d+/);
    const logs = a.logs.join('');
    for (const needle of ['example@test.com', 'chris@gmail.com', 'recipient@example.com', 'grouped@example.org', 'u10000@example.com']) assert.ok(!logs.includes(needle), `no "${needle}" in the log`);
  });
});
