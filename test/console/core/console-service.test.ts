import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { createSeedKit, produceRecords, sendgridEvent, type SeedKit } from '../support/seed.js';
import { createConsoleService } from '../../../electron/core/console-service.js';
import { createSettingsStore, NO_SECRET_BOX } from '../../../electron/core/settings/settings-store.js';
import { dispatch, type ConsoleHandlers, type Channel, type ArgsIn, type ResultOf } from '../../../shared/console-api/index.js';
import type { MessageRow } from '../../../shared/console-api/types.js';
import { noIdentities } from '../../support/no-identities.js';
import { createProfileIdentities } from '../../../electron/core/identity/profile-identities.js';
import { createBlindIndexResolver } from '../../../electron/core/identity/blind-index-key.js';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const N = 3_000;
/**
 * Two hours ago, to the second. Never a fixed date: the broker deletes records older than its retention (24 h)
 * at its next retention check, which emptied this topic mid-run once the fixed date had aged past it.
 */
const BASE = Math.floor((Date.now() - 2 * 3600_000) / 1000) * 1000;
/** Record i has timestamp BASE + i*1000, so "newest" and "oldest" have one right answer. */
const tsOf = (i: number): number => BASE + i * 1_000;

describe('console Node side against the real broker', () => {
  let kit: SeedKit;
  let brokers: string[];
  let topic: string;
  let handlers: ConsoleHandlers;
  let close: () => Promise<void>;
  let awsDir: string | undefined;
  /** Ground truth: what was produced, by event id. */
  const truth: { id: string; type: string; category: string; email: string; ts: number }[] = [];

  /** Calls a channel through the contract, as IPC does, and unwraps the reply. */
  async function call<C extends Channel>(channel: C, args?: ArgsIn<C>): Promise<ResultOf<C>> {
    const reply = await dispatch(handlers, channel, args);
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.value as ResultOf<C>;
  }

  before(async () => {
    ({ brokers } = await ensureKafka());
    kit = createSeedKit();
    topic = uniqueTopic('console-browse');
    const events = Array.from({ length: N }, (_, i) => sendgridEvent(i, { time: tsOf(i) }));
    for (const [i, e] of events.entries()) {
      const body = e.body as { email: string; category: string };
      truth.push({ id: e.id, type: e.type, category: body.category, email: body.email, ts: tsOf(i) });
    }
    const records = await kit.build(events);
    await produceRecords(brokers, topic, records, { partitions: 6, timestampOf: tsOf });
    // An AWS config with one profile that has no key at all (static made-up credentials, KMS nowhere).
    awsDir = mkdtempSync(join(tmpdir(), 'sp-console-aws-'));
    writeFileSync(join(awsDir, 'config'), '[profile auditor]\nregion = eu-west-1\n');
    writeFileSync(join(awsDir, 'credentials'), '[auditor]\naws_access_key_id = AKIDAUDITOR\naws_secret_access_key = not-a-secret\n');
    const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
    const service = createConsoleService({
      settings,
      identities: createProfileIdentities({
        settings,
        configFile: join(awsDir, 'config'),
        credentialsFile: join(awsDir, 'credentials'),
        kmsEndpoint: 'http://127.0.0.1:1',
        stsEndpoint: 'http://127.0.0.1:1',
      }),
      blindIndex: createBlindIndexResolver(settings),
    });
    handlers = service.handlers;
    close = service.close;
    await call('settings:set', { localKeysDir: kit.keysDir });
    await call('console:connect', { connection: { name: 'local', brokers } });
  });

  after(async () => {
    await close?.();
    await kit?.close();
    if (awsDir) rmSync(awsDir, { recursive: true, force: true });
  });

  test('topics list the seeded topic with its partitions and record count', async () => {
    const topics = await call('topics:list');
    const t = topics.find((x) => x.name === topic);
    assert.deepEqual(t && { partitions: t.partitions, records: t.records, internal: t.internal }, { partitions: 6, records: N, internal: false });
    assert.ok(!topics.some((x) => x.name.startsWith('__')), 'internal topics hidden by default');
  });

  test('partitions show leader, replicas, ISR and watermarks adding up to the records', async () => {
    const { partitions } = await call('topic:partitions', { topic });
    assert.equal(partitions.length, 6);
    assert.equal(partitions.reduce((s, p) => s + p.records, 0), N);
    for (const p of partitions) {
      assert.equal(p.leader, p.replicas[0]);
      assert.deepEqual(p.isr, p.replicas);
      assert.equal(Number(p.high) - Number(p.low), p.records);
    }
  });

  test('newest window holds exactly the 500 newest records, newest first', async () => {
    const w = await call('messages:window', { topic, mode: 'newest', limit: 500 });
    const expected = truth.slice(N - 500).reverse().map((t) => t.id);
    assert.deepEqual(w.rows.map((r) => r.eventId), expected);
    assert.equal(w.end, false);
    const row = w.rows[0]!;
    assert.equal(row.type, truth[N - 1]!.type);
    assert.equal(row.recipient, kit.blindIndex(truth[N - 1]!.email));
    assert.deepEqual(row.departments.sort(), ['security', 'support']);
    assert.ok(!JSON.stringify(w).includes('@example.com'), 'no address in clear reaches the renderer');
  });

  test('paging newest-first with the cursor walks every record once, in order', async () => {
    const seen: MessageRow[] = [];
    let w = await call('messages:window', { topic, mode: 'newest', limit: 700 });
    seen.push(...w.rows);
    while (!w.end) {
      w = await call('messages:window', { topic, mode: 'newest', limit: 700, cursor: w.cursor });
      seen.push(...w.rows);
    }
    assert.equal(seen.length, N);
    assert.deepEqual(seen.map((r) => r.eventId), truth.map((t) => t.id).reverse());
  });

  test('oldest, from timestamp and from offset start where asked', async () => {
    const oldest = await call('messages:window', { topic, mode: 'oldest', limit: 10 });
    assert.deepEqual(oldest.rows.map((r) => r.eventId), truth.slice(0, 10).map((t) => t.id));
    const fromTs = await call('messages:window', { topic, mode: 'timestamp', timestamp: tsOf(1234), limit: 5 });
    assert.deepEqual(fromTs.rows.map((r) => r.eventId), truth.slice(1234, 1239).map((t) => t.id));
    const p0 = oldest.rows.find((r) => r.partition === 0) ?? oldest.rows[0]!;
    const fromOffset = await call('messages:window', { topic, mode: 'offset', partition: p0.partition, offset: '3', limit: 4 });
    assert.deepEqual(fromOffset.rows.map((r) => [r.partition, r.offset]), [3, 4, 5, 6].map((o) => [p0.partition, String(o)]));
  });

  test('live tail returns only records produced after it started', async () => {
    const start = await call('messages:window', { topic, mode: 'tail', limit: 100 });
    assert.equal(start.rows.length, 0);
    const extra = await kit.build([sendgridEvent(90_001, { time: tsOf(N + 10) }), sendgridEvent(90_002, { time: tsOf(N + 11) })]);
    await produceRecords(brokers, topic, extra, { create: false, timestampOf: (i) => tsOf(N + 10 + i) });
    const next = await call('messages:window', { topic, mode: 'tail', limit: 100, cursor: start.cursor });
    assert.deepEqual(next.rows.map((r) => r.eventId).sort(), extra.map((r) => r.eventId).sort());
    const again = await call('messages:window', { topic, mode: 'tail', limit: 100, cursor: next.cursor });
    assert.equal(again.rows.length, 0);
  });

  test('clear-part filters and recipient search match the ground truth', async () => {
    const bounces = truth.filter((t) => t.type === 'bounce' && (t.category === 'welcome' || t.category === 'invoice'));
    const w = await call('messages:window', { topic, mode: 'newest', limit: 5_000, filters: { types: ['bounce'], categories: ['welcome', 'invoice'] } });
    assert.ok(bounces.length > 0);
    assert.deepEqual(w.rows.map((r) => r.eventId).sort(), bounces.map((t) => t.id).sort());
    const who = truth[77]!.email;
    const mine = truth.filter((t) => t.email === who);
    const byRecipient = await call('messages:window', { topic, mode: 'oldest', limit: 5_000, filters: { recipient: who.toUpperCase() } });
    assert.deepEqual(byRecipient.rows.map((r) => r.eventId), mine.map((t) => t.id));
    const window = await call('messages:window', { topic, mode: 'oldest', limit: 5_000, filters: { timeFrom: tsOf(100), timeTo: tsOf(199) } });
    assert.deepEqual(window.rows.map((r) => r.eventId), truth.slice(100, 200).map((t) => t.id));
  });

  test('a recipient timeline reads only that person’s partition and opens their events with the local keys, oldest first', async () => {
    const who = truth[77]!.email;
    const mine = truth.filter((t) => t.email === who);
    const t = await call('activity:timeline', { topic, address: who, profile: 'local' });
    assert.equal(t.recipient, kit.blindIndex(who));
    assert.equal(t.complete, true);
    assert.ok(t.partitionRecords < N, `one partition of six read (${t.partitionRecords} records)`);
    assert.match(t.identity, /local keys in /);
    assert.deepEqual(t.events.map((e) => e.row.eventId), mine.map((x) => x.id));
    for (const e of t.events) {
      const support = e.sections.support;
      assert.equal(support?.state === 'open' ? support.fields.email : support?.state, who);
    }
  });

  test('a filtered window stops on its budget and says so', async () => {
    const w = await call('messages:window', { topic, mode: 'newest', limit: 5_000, scanBudget: 600, filters: { types: ['bounce'] } });
    assert.equal(w.budgetSpent, true);
    assert.ok(w.scanned <= 600 + 6, `read ${w.scanned}`);
  });

  test('a scan with a small budget stops, resumes to the end and finds every match once', async () => {
    const expected = truth.filter((t) => t.type === 'click').map((t) => t.id).sort();
    let p = await call('scan:start', { topic, filters: { types: ['click'] }, budget: { maxRecords: 1_000, maxMs: 60_000 } });
    const scanId = p.scanId;
    const waitIdle = async () => {
      for (;;) {
        p = await call('scan:progress', { scanId, maxRows: 0 });
        if (p.state !== 'running') return p;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitIdle();
    assert.equal(p.state, 'budget');
    assert.equal(p.resumable, true);
    assert.ok(p.scanned < N);
    await call('scan:start', { topic, filters: { types: ['click'] }, resume: scanId });
    await waitIdle();
    assert.equal(p.state, 'done');
    assert.equal(p.scanned, p.total);
    const all = await call('scan:progress', { scanId, maxRows: 10_000 });
    assert.deepEqual(all.rows.map((r) => r.eventId).sort(), expected);
  });

  test('a scan keeps at most maxMatches rows', async () => {
    let p = await call('scan:start', { topic, filters: { types: ['open'] }, maxMatches: 50 });
    while (p.state === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      p = await call('scan:progress', { scanId: p.scanId });
    }
    assert.equal(p.state, 'capped');
    assert.equal(p.matched, 50);
    assert.equal(p.resumable, false);
  });

  test('a cancelled scan can be resumed', async () => {
    const p = await call('scan:start', { topic, filters: { sources: ['sendgrid-main'] } });
    const c = await call('scan:cancel', { scanId: p.scanId });
    assert.ok(c.state === 'cancelled' || c.state === 'done');
    if (c.state === 'cancelled') {
      let r = await call('scan:start', { topic, filters: { sources: ['sendgrid-main'] }, resume: p.scanId });
      while (r.state === 'running') {
        await new Promise((res) => setTimeout(res, 20));
        r = await call('scan:progress', { scanId: p.scanId, maxRows: 0 });
      }
      assert.equal(r.state, 'done');
      assert.equal(r.matched, (await call('topic:partitions', { topic })).partitions.reduce((s, x) => s + x.records, 0));
    }
  });

  test('detail shows the envelope with its sealed sections and headers', async () => {
    const w = await call('messages:window', { topic, mode: 'oldest', limit: 1 });
    const d = await call('message:detail', { topic, id: w.rows[0]!.id });
    assert.equal(d.envelope?.id, truth[0]!.id);
    assert.equal(d.headers['sealpost-type'], truth[0]!.type);
    assert.deepEqual(d.sections.map((s) => s.department).sort(), ['security', 'support']);
    assert.ok(d.sections.every((s) => s.bytes > 100));
  });

  test('consumer group lag per partition', async () => {
    const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const groupId = `${topic}-reader`;
    try {
      const { partitions } = await call('topic:partitions', { topic });
      await admin.setOffsets({ groupId, topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: String(Math.floor(Number(p.high) / 2)) })) });
      const groups = await call('groups:lag', { topic });
      const g = groups.find((x) => x.groupId === groupId);
      assert.ok(g, 'group listed');
      const expected = partitions.reduce((s, p) => s + (Number(p.high) - Math.floor(Number(p.high) / 2)), 0);
      assert.equal(g.totalLag, expected);
      assert.equal(g.partitions.length, 6);
    } finally {
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    }
  });

  test('export of rows as CSV', async () => {
    const w = await call('messages:window', { topic, mode: 'oldest', limit: 3 });
    const e = await call('export', { topic, format: 'csv', ids: w.rows.map((r) => r.id) });
    const lines = e.content!.trim().split('\r\n');
    assert.equal(e.rows, 3);
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^partition,offset,timestamp,time,type/);
    assert.ok(lines[1]!.includes(truth[0]!.id));
  });

  test('decrypting visible rows with the local keys opens every section, bound to its event', async () => {
    const w = await call('messages:window', { topic, mode: 'oldest', limit: 20 });
    const d = await call('messages:decrypt', { topic, ids: w.rows.map((r) => r.id), profile: 'local' });
    assert.equal(d.rows.length, 20);
    assert.match(d.identity, /local keys in /);
    for (const [i, row] of d.rows.entries()) {
      const support = row.sections.support;
      const security = row.sections.security;
      assert.equal(support?.state, 'open');
      assert.equal(security?.state, 'open');
      if (support?.state === 'open') assert.equal(support.fields.email, truth[i]!.email);
    }
  });

  test('another identity sees locked cells with the reason: a key folder holding only support', async () => {
    const partial = mkdtempSync(join(tmpdir(), 'sp-console-keys-'));
    try {
      const keys = join(partial, 'keys');
      mkdirSync(keys, { mode: 0o700 });
      copyFileSync(join(kit.keysDir, 'support.key'), join(keys, 'support.key'));
      const { chmodSync } = await import('node:fs');
      chmodSync(join(keys, 'support.key'), 0o600);
      await call('settings:set', { localKeysDir: keys });
      const w = await call('messages:window', { topic, mode: 'oldest', limit: 5 });
      const d = await call('messages:decrypt', { topic, ids: w.rows.map((r) => r.id), profile: 'local' });
      for (const row of d.rows) {
        assert.equal(row.sections.support?.state, 'open');
        const sec = row.sections.security;
        assert.equal(sec?.state, 'locked');
        if (sec?.state === 'locked') {
          assert.equal(sec.code, 'no_local_key');
          assert.ok(sec.message.length > 20);
        }
      }
      const m = await call('access:matrix', { profile: 'local', topic });
      const byDept = Object.fromEntries(m.departments.map((x) => [x.department, x.access.state]));
      assert.deepEqual(byDept, { analytics: 'unproved', security: 'locked', support: 'readable' });
      const email = m.fields.find((f) => f.rule === 'sendgrid' && f.field === 'email');
      assert.deepEqual(email?.cells, { analytics: 'not_granted', security: 'locked', support: 'readable' });
    } finally {
      await call('settings:set', { localKeysDir: kit.keysDir });
      rmSync(partial, { recursive: true, force: true });
    }
  });

  test('an AWS profile without the local keys sees every section locked, saying why', async () => {
    const profiles = await call('profiles:list');
    assert.deepEqual(profiles.map((p) => p.id), ['local', 'aws:auditor']);
    const w = await call('messages:window', { topic, mode: 'oldest', limit: 3 });
    const d = await call('messages:decrypt', { topic, ids: w.rows.map((r) => r.id), profile: 'aws:auditor' });
    for (const row of d.rows) {
      for (const s of Object.values(row.sections)) assert.equal(s.state, 'locked');
    }
    assert.ok(!JSON.stringify(d).includes('@example.com'));
  });

  test('an unknown topic is reported as such', async () => {
    await assert.rejects(call('topic:partitions', { topic: `${topic}-missing` }), (err: { code?: string }) => err.code === 'SP_CONSOLE_TOPIC_NOT_FOUND');
  });
});

describe('connection errors a person can act on', () => {
  test('nothing listening: broker unreachable, quickly', async () => {
    const { handlers, close } = createConsoleService({
      settings: createSettingsStore({ file: null, secrets: NO_SECRET_BOX }),
      identities: noIdentities,
      blindIndex: async () => {
        throw new Error('unused');
      },
    });
    const started = Date.now();
    const reply = await dispatch(handlers, 'console:connect', { connection: { name: 'nowhere', brokers: ['127.0.0.1:1'], connectTimeoutMs: 1000 } });
    assert.equal(reply.ok, false);
    if (!reply.ok) {
      assert.equal(reply.error.code, 'SP_CONSOLE_BROKER_UNREACHABLE');
      assert.match(reply.error.message, /127\.0\.0\.1:1/);
    }
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    const notConnected = await dispatch(handlers, 'topics:list', undefined);
    assert.equal(notConnected.ok ? '' : notConnected.error.code, 'SP_CONSOLE_NOT_CONNECTED');
    await close();
  });

  test('a SASL login against a listener without SASL fails as a login problem, not a crash', async () => {
    const { brokers } = await ensureKafka();
    const { handlers, close } = createConsoleService({
      settings: createSettingsStore({ file: null, secrets: NO_SECRET_BOX }),
      identities: noIdentities,
      blindIndex: async () => {
        throw new Error('unused');
      },
    });
    const reply = await dispatch(handlers, 'console:connect', {
      connection: { name: 'sasl', brokers, auth: { kind: 'scram-sha-256', username: 'ops', password: 'wrong' }, connectTimeoutMs: 3000 },
    });
    assert.equal(reply.ok, false);
    if (!reply.ok) assert.match(reply.error.code, /SP_CONSOLE_(SASL_FAILED|BROKER_UNREACHABLE)/);
    await close();
  });
});
