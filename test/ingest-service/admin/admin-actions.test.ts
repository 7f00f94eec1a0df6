import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../../../shared/envelope/index.js';
import type { AdminClient } from '../../../shared/aws-sign-in/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../../support/local-decrypt.js';
import { startAdminService, type AdminTestService } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await sleep(150);
  }
}
async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await p;
  } catch (err) {
    if (isSealpostError(err)) return { code: err.code, status: err.status };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('admin actions on the real service and broker, each leaving its audit event', () => {
  let brokers: string[];
  let svc: AdminTestService;
  let admin: AdminClient;
  let auditTopic: string;
  const started = Date.now();

  before(async () => {
    ({ brokers } = await ensureKafka());
    auditTopic = uniqueTopic('sealpost-audit');
    svc = await startAdminService({ brokers, admin: { audit: { topic: auditTopic } } });
    admin = svc.local();
  });
  after(async () => svc?.stop());

  it('status: accept and forward rates per source, backlog, Kafka and KMS health; history for charts', async () => {
    await sleep(1100); // a rate needs a sample at least a second older
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    const s = await until('the seed batch forwarded', () => admin.status(), (st) => st.sources.find((x) => x.id === 'sendgrid')!.forwarded === 14);
    const sg = s.sources.find((x) => x.id === 'sendgrid')!;
    assert.equal(sg.accepted, 14);
    assert.ok(sg.acceptRate > 0 && sg.forwardRate > 0, `rates over the window (${sg.acceptRate}, ${sg.forwardRate})`);
    assert.equal(sg.pending, 0);
    assert.equal(sg.oldestPendingAgeSeconds, null);
    const audit = s.sources.find((x) => x.id === 'sealpost-audit')!;
    assert.equal(audit.internal, true);
    assert.equal(audit.topic, auditTopic);
    assert.equal(s.kafka.configured, true);
    assert.equal(s.kafka.healthy, true);
    assert.equal(s.kafka.forwarder?.lastError, null);
    assert.deepEqual(s.kms, { mode: 'local', healthy: true, lastError: null });
    const h = await admin.history();
    assert.equal(h.intervalSeconds, 5);
    assert.ok(h.samples.length >= 1 && 'sendgrid' in h.samples[0]!.sources);
  });

  it('pause holds a source in the journal (backlog and its age visible), resume and drain empty it; all audited', async () => {
    const paused = await admin.pause('sendgrid', 'downstream consumer is being migrated');
    assert.deepEqual(paused, { source: 'sendgrid', paused: true, pending: 0 });
    const batch = JSON.stringify(JSON.parse(SEED_BATCH.toString()).slice(0, 2).map((e: Record<string, unknown>, i: number) => ({ ...e, sg_event_id: `paused-${i}-${Date.now()}` })));
    assert.equal((await svc.postSendgrid(batch)).status, 200);
    await sleep(300);
    const s = await admin.status();
    const sg = s.sources.find((x) => x.id === 'sendgrid')!;
    assert.equal(sg.pending, 1, 'the request waits in the journal');
    assert.ok(sg.oldestPendingAgeSeconds! > 0);
    assert.equal(sg.paused?.by, 'local-admin');
    assert.equal(sg.paused?.reason, 'downstream consumer is being migrated');

    const backlog = await admin.listBacklog({ source: 'sendgrid' });
    assert.equal(backlog.entries.length, 1);
    assert.deepEqual(Object.keys(backlog.entries[0]!).sort(), ['kind', 'receivedAt', 'redriveOf', 'seq', 'size', 'source']);
    assert.equal(backlog.entries[0]!.size, Buffer.byteLength(batch));

    const whilePaused = await admin.drain({ timeoutMs: 10_000 });
    assert.equal(whilePaused.drained, true, 'a paused source is not forwardable, so there is nothing to wait for');
    assert.equal(whilePaused.pendingAfter, 1);

    await admin.resume('sendgrid');
    const d = await admin.drain({ timeoutMs: 20_000 });
    assert.equal(d.drained, true);
    assert.equal(d.pendingAfter, 0);
    assert.ok(d.pendingBefore >= 1);

    const events = (await admin.queryAudit({ from: started, target: 'source/sendgrid' })).events.map((e) => `${e.action}:${e.outcome}`);
    assert.deepEqual(events, ['resume:success', 'pause:success']);
    const drains = (await admin.queryAudit({ action: 'drain' })).events;
    assert.equal(drains.length, 2);
    assert.equal(drains[0]!.details.pendingAfter, 0);
    assert.equal(drains[0]!.target, 'backlog/all');
  });

  it('dead letters: listed as clear facts only, re-driven, discarded only with a stated reason; all audited', async () => {
    assert.equal((await svc.postSendgrid('{"this is": not json, secret@example.com')).status, 200);
    const [dl] = await until('a dead letter', () => admin.listDeadLetters({ state: 'open' }), (l) => l.length === 1);
    assert.equal(dl!.reason, 'invalid_json');
    assert.equal(dl!.source, 'sendgrid');
    const listing = JSON.stringify(await admin.listDeadLetters());
    assert.ok(!listing.includes('secret@example.com') && !listing.includes('not json'), 'never the raw bytes');

    const { seq } = await admin.redrive(dl!.id);
    assert.ok(seq > dl!.seq);
    const again = await until('the re-driven entry to dead-letter again', () => admin.listDeadLetters({ state: 'open' }), (l) => l.length === 1 && l[0]!.id !== dl!.id);
    const first = (await admin.listDeadLetters({ state: 'redriven' })).find((x) => x.id === dl!.id)!;
    assert.equal(first.redrivenSeq, seq);

    const id = again[0]!.id;
    assert.equal((await refusal(admin.discard(id, ''))).code, 'SP_ADMIN_BAD_REQUEST');
    assert.equal((await refusal(admin.discard(id, '   '))).code, 'SP_ADMIN_BAD_REQUEST');
    assert.deepEqual(await admin.discard(id, 'sender confirmed it was a test payload'), { id, state: 'discarded' });
    const tomb = (await admin.listDeadLetters({ state: 'discarded' })).find((x) => x.id === id)!;
    assert.equal(tomb.resolution, 'sender confirmed it was a test payload');
    assert.equal(tomb.resolvedBy, 'local-admin');
    const twice = await refusal(admin.discard(id, 'again'));
    assert.equal(twice.status, 409);
    assert.equal((await refusal(admin.redrive(999_999))).status, 404);

    const trail = (await admin.queryAudit({ target: 'dead-letter/*', from: started })).events;
    const summary = trail.map((e) => `${e.action}:${e.target}:${e.outcome}`);
    assert.deepEqual(summary, [`redrive:dead-letter/999999:failure`, `discard:dead-letter/${id}:failure`, `discard:dead-letter/${id}:success`, `redrive:dead-letter/${dl!.id}:success`]);
    assert.equal(trail[2]!.details.reason, 'invalid_json');
    assert.equal(trail[1]!.details.code, 'SP_DEAD_LETTER_RESOLVED');
    assert.equal((await admin.queryAudit({ keyword: 'sender confirmed' })).events.length, 0, 'the typed reason is sealed in Kafka, not indexed');
  });

  it('records the console decryptions and exports, and refuses a target that carries an address', async () => {
    const r = await admin.recordAudit({ action: 'decrypt', target: `topic/${svc.config.sources[0]!.topic}/0`, outcome: 'success', details: { department: 'support', records: 3, offsets: ['12', '13', '14'] } });
    assert.equal(r.type, 'sealpost.admin.decrypt');
    const found = (await admin.queryAudit({ action: 'sealpost.admin.decrypt' })).events;
    assert.equal(found.length, 1);
    assert.equal(found[0]!.id, r.id);
    assert.deepEqual(found[0]!.details, { department: 'support', records: 3, offsets: ['12', '13', '14'] });
    assert.equal((await refusal(admin.recordAudit({ action: 'export', target: 'bob@example.com', outcome: 'success' }))).code, 'SP_ADMIN_BAD_REQUEST');
    assert.equal((await refusal(admin.recordAudit({ action: 'drain' as 'export', target: 'backlog/all', outcome: 'success' }))).code, 'SP_ADMIN_BAD_REQUEST', 'the console cannot forge service actions');
  });

  it('queries the audit trail by fields, time range and keyword, in pages, newest first', async () => {
    const all = (await admin.queryAudit({ from: started, limit: 1000 })).events;
    assert.equal(all.length, 9, 'pause, resume, 2 drains, 2 redrives, 2 discards, 1 decrypt');
    const times = all.map((e) => Date.parse(e.time));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));

    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.queryAudit({ from: started, limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(...page.events.map((e) => e.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    assert.deepEqual(pages, all.map((e) => e.id), 'pages add up to the whole, without repeats');

    const mid = Date.parse(all[Math.floor(all.length / 2)]!.time);
    const older = (await admin.queryAudit({ to: new Date(mid).toISOString(), limit: 1000 })).events;
    assert.ok(older.every((e) => Date.parse(e.time) < mid) && older.length > 0);
    assert.equal((await admin.queryAudit({ from: Date.now() + 60_000 })).events.length, 0);
    const kw = (await admin.queryAudit({ keyword: 'SENDGRID' })).events;
    assert.ok(kw.length >= 2 && kw.every((e) => JSON.stringify(e).toLowerCase().includes('sendgrid')));
    assert.deepEqual((await admin.queryAudit({ outcome: 'failure' })).events.map((e) => e.action).sort(), ['discard', 'redrive']);
    assert.ok((await admin.queryAudit({ actor: 'local-admin', limit: 1000 })).events.length === all.length);
    assert.equal((await admin.queryAudit({ actor: 'arn:aws:sts::123456789012:assumed-role/x/y' })).events.length, 0);
  });

  it('writes every audit event to the audit topic, sealed: a clean clear part, actor and note readable with the security key', async () => {
    const indexed = (await admin.queryAudit({ limit: 1000 })).events;
    await admin.drain({ timeoutMs: 20_000 });
    const records = await readAll(brokers, auditTopic, indexed.length, 30_000);
    assert.ok(records.length >= indexed.length, `${records.length} records for ${indexed.length} events`);
    const envs = records.map((r) => JSON.parse(r.value!.toString()) as Envelope);
    const discard = indexed.find((e) => e.action === 'discard' && e.outcome === 'success')!;
    const env = envs.find((e) => e.id === discard.id)!;
    assert.equal(env.type, 'sealpost.admin.discard');
    assert.equal(env.source, 'sealpost-audit');
    assert.deepEqual(Object.keys(env.clear).sort(), ['id', 'outcome', 'source', 'time', 'type']);
    assert.equal(env.clear.outcome, 'success');
    assert.ok(!records.some((r) => r.value!.toString().includes('sender confirmed')), 'the typed reason is never in clear in Kafka');
    const keys = await readSubjectKeys(brokers, svc.config.subjectKeys.topic, [env]);
    const sec = await openEnvelopeSection(departmentKeyring(svc.dataDir, 'security'), env, 'security', keys);
    assert.equal(sec.plaintext.fields.actor, 'local-admin');
    assert.equal(sec.plaintext.fields.subject, discard.target);
    assert.equal(sec.plaintext.fields.note, 'sender confirmed it was a test payload');
    assert.equal((sec.plaintext.fields.details as Record<string, unknown>).reason, 'invalid_json');
    await assert.rejects(openEnvelopeSection(departmentKeyring(svc.dataDir, 'analytics'), env, 'security', keys), 'analytics cannot read the audit details');
  });
});
