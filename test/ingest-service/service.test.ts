import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../../shared/envelope/index.js';
import { ensureKafka, readAll } from '../support/kafka.js';
import { SEED_BATCH, startTestService, type TestService } from '../support/ingest.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';
import { until } from '../support/until.js';

const seed = JSON.parse(SEED_BATCH.toString()) as Record<string, unknown>[];
const addresses = [...new Set(seed.map((e) => e.email as string))];

async function metric(svc: TestService, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${svc.service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('ingest service end to end (real journal, real broker)', () => {
  let svc: TestService;
  let brokers: string[];
  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startTestService({ brokers });
  });
  after(async () => svc?.stop());

  it('accepts the seed batch, and every event reaches Kafka sealed: clear part clean, sections per department', async () => {
    const res = await svc.postSendgrid(SEED_BATCH);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { accepted: number }).accepted, 14);
    const records = await readAll(brokers, svc.config.sources[0]!.topic!, 14, 30_000);
    assert.equal(records.length, 14);
    const support = departmentKeyring(svc.dataDir, 'support');
    const security = departmentKeyring(svc.dataDir, 'security');
    const byKey = new Map<string, string[]>();
    const envelopes = records.map((r) => JSON.parse(r.value!.toString()) as Envelope);
    const keys = await readSubjectKeys(brokers, svc.config.subjectKeys.topic, envelopes);
    for (const r of records) {
      const raw = r.value!.toString();
      for (const a of addresses) assert.ok(!raw.includes(a), 'no address in clear in the Kafka record');
      const env = JSON.parse(raw) as Envelope;
      // Subject keys are on by default: every seed event names its recipient, so each section is under a subject key.
      assert.equal(env.schema, 'sealpost.envelope/2');
      assert.equal(r.headers['sealpost-schema']?.toString(), '2');
      assert.deepEqual(Object.keys(env.keys ?? {}).sort(), ['security', 'support']);
      assert.equal(r.key?.toString(), env.recipient, 'the key is the blind index of the recipient');
      assert.equal(r.headers['sealpost-source']?.toString(), 'sendgrid');
      assert.deepEqual(Object.keys(env.sections).sort(), ['security', 'support'], 'analytics gets no section');
      assert.equal(env.clear.event, env.type);
      assert.equal('email' in env.clear, false);
      const original = seed.find((e) => e.sg_event_id === env.id)!;
      const s = await openEnvelopeSection(support, env, 'support', keys);
      assert.equal(s.plaintext.id, env.id, 'section bound to its event');
      assert.equal(s.plaintext.fields.email, original.email);
      assert.equal(s.context['sealpost:department'], 'support');
      assert.equal('send_id' in s.plaintext.fields, false, 'support reads only its granted fields');
      const sec = await openEnvelopeSection(security, env, 'security', keys);
      assert.equal(sec.plaintext.fields.send_id, original.send_id, 'security reads every personal field (custom args too)');
      await assert.rejects(openEnvelopeSection(support, env, 'security', keys), 'the support key cannot open the security section');
      byKey.set(env.recipient!, [...(byKey.get(env.recipient!) ?? []), env.id]);
    }
    assert.equal(byKey.size, addresses.length, 'one key per recipient');
  });

  it('refuses a bad signature with 401, counts it, and journals nothing', async () => {
    const before = await metric(svc, 'sealpost_requests_rejected_total', 'source="sendgrid"');
    const res = await svc.postSendgrid(SEED_BATCH, { tamper: true });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.match(body.error.code, /^SP_/);
    assert.ok(body.error.message.length > 10);
    assert.equal(await metric(svc, 'sealpost_requests_rejected_total', 'source="sendgrid"'), before + 1);
  });

  it('keeps a malformed authenticated body as a dead letter and answers 2xx', async () => {
    const before = await metric(svc, 'sealpost_dead_letters_total', 'source="sendgrid"');
    const res = await svc.postSendgrid('{"this is": not json');
    assert.equal(res.status, 200);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await metric(svc, 'sealpost_dead_letters_total', 'source="sendgrid"')) === before) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await metric(svc, 'sealpost_dead_letters_total', 'source="sendgrid"'), before + 1);
  });

  it('drops provider retries of the same events (dedupe on sg_event_id)', async () => {
    const batch = JSON.stringify(seed.slice(0, 3).map((e, i) => ({ ...e, sg_event_id: `dedupe-${i}-${Date.now()}` })));
    assert.equal((await svc.postSendgrid(batch)).status, 200);
    assert.equal((await svc.postSendgrid(batch)).status, 200);
    const marker = JSON.stringify(seed.slice(0, 1).map((e) => ({ ...e, sg_event_id: `after-${Date.now()}` })));
    assert.equal((await svc.postSendgrid(marker)).status, 200);
    const records = await readAll(brokers, svc.config.sources[0]!.topic!, 14 + 3 + 1, 30_000);
    const ids = records.map((r) => (JSON.parse(r.value!.toString()) as Envelope).id).filter((id) => id.startsWith('dedupe-'));
    assert.equal(ids.length, 3, 'each event once, although the batch was posted twice');
  });

  it('accepts audit events with an HMAC signature, any event type', async () => {
    const events = [{ id: `a-${Date.now()}`, type: 'customer.billed', time: new Date().toISOString(), actor: 'user-1', subject: 'bob@example.com', amount: 12 }];
    const res = await svc.postEvents(JSON.stringify(events));
    assert.equal(res.status, 200);
    const records = await readAll(brokers, svc.config.sources[1]!.topic!, 1, 30_000);
    const env = JSON.parse(records[0]!.value!.toString()) as Envelope;
    assert.equal(env.type, 'customer.billed');
    assert.ok(!records[0]!.value!.toString().includes('bob@example.com'));
  });

  it('answers 413 over the size limit', async () => {
    const big = Buffer.alloc(svc.config.maxBodyBytes + 1, 0x20);
    const res = await svc.postSendgrid(big);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'SP_BODY_TOO_LARGE');
  });

  it('writes no personal value to the journal files or the logs', async () => {
    const files = readdirSync(svc.dataDir).filter((f) => f.startsWith('journal'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const bytes = readFileSync(join(svc.dataDir, f));
      for (const a of addresses) assert.equal(bytes.indexOf(a), -1, `${f} holds no address in clear`);
    }
    const logs = svc.logs.join('');
    for (const a of addresses) assert.ok(!logs.includes(a));
  });
});

describe('sealpost_kafka_up is exported only where Kafka is configured', () => {
  it('a journal-only instance (no kafka section) keeps entries pending and exports no sealpost_kafka_up; with Kafka it is 1', async () => {
    const journalOnly = await startTestService();
    try {
      assert.equal((await journalOnly.postSendgrid(SEED_BATCH)).status, 200);
      const text = await (await fetch(`${journalOnly.service.url}/metrics`)).text();
      assert.match(text, /^sealpost_journal_pending\{source="sendgrid"\} 1$/m, 'the entry waits in the journal');
      assert.doesNotMatch(text, /sealpost_kafka_up/, 'no Kafka, so no "Kafka down" for SealpostKafkaDown to fire on');
    } finally {
      await journalOnly.stop();
    }
    const withKafka = await startTestService({ brokers: (await ensureKafka()).brokers });
    try {
      assert.equal((await withKafka.postSendgrid(SEED_BATCH)).status, 200);
      await until('sealpost_kafka_up 1 once the batch is produced', async () => (await fetch(`${withKafka.service.url}/metrics`)).text(), (t) => /^sealpost_kafka_up 1$/m.test(t), { show: (t) => t.split('\n').filter((l) => l.startsWith('sealpost_kafka')).join('; ') });
    } finally {
      await withKafka.stop();
    }
  });
});
