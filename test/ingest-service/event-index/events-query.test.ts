// The admin API's events query (seed 002) end to end: audit events posted through an `events` source, sealed,
// forwarded to the real broker, tailed into the event index, and found by type, time, clear field, subject,
// keyword and pages; answers carry sealed sections a department key opens; bad queries are clear 4xx.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../../../shared/envelope/index.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../../support/local-decrypt.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';
import { auditEvent, HOUR, indexed, postQuery, T0 } from './support.js';

const ALICE = 'alice.customer@example.com';
const BOB = 'Bob.Customer@Example.com';

describe('events query over an events source (real broker)', { timeout: 180_000 }, () => {
  let svc: AdminTestService;
  let brokers: string[];
  const events = [
    auditEvent(0, { type: 'account.created', subject: ALICE }),
    auditEvent(1, { type: 'resource.accessed', subject: ALICE, extra: { resource: 'invoice/77' } }),
    auditEvent(2, { type: 'resource.accessed', subject: BOB, outcome: 'denied' }),
    auditEvent(3, { type: 'customer.billed', subject: BOB, extra: { amount: 4200, currency: 'EUR' } }),
    auditEvent(4, { type: 'resource.accessed', subject: ALICE, outcome: 'denied', producer: 'gateway-eu' }),
    auditEvent(5, { type: 'account.deactivated', subject: BOB, producer: 'gateway-eu' }),
  ];

  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startAdminService({ brokers, admin: { audit: { topic: uniqueTopic('evq-trail') } } });
    const res = await svc.postEvents(JSON.stringify(events));
    assert.equal(res.status, 200, await res.text());
    await indexed(svc, events.length, { source: 'audit' });
  });
  after(async () => svc?.stop());

  const ids = async (q: Record<string, unknown>) => (await svc.local().queryEvents({ source: 'audit', ...q })).events.map((e) => e.id);
  const idsOf = (...n: number[]) => n.map((i) => events[i]!.id);

  it('finds by type, time range and clear field values, newest first', async () => {
    assert.deepEqual(await ids({ type: 'resource.accessed' }), idsOf(4, 2, 1));
    assert.deepEqual(await ids({ from: new Date(T0 + HOUR).toISOString(), to: T0 + 3 * HOUR }), idsOf(2, 1), 'from inclusive, to exclusive; ISO or epoch ms');
    assert.deepEqual(await ids({ fields: { outcome: 'denied' } }), idsOf(4, 2));
    assert.deepEqual(await ids({ fields: { outcome: 'denied', source: 'gateway-eu' } }), idsOf(4), 'every field filter holds');
    assert.deepEqual(await ids({ fields: { outcome: 'nope' } }), []);
    assert.deepEqual(await ids({ fields: { actor: `operator-1@corp.example` } }), [], 'a sealed field is not a clear field: not findable by value');
  });

  it('finds by subject through the blind index, whatever the spelling', async () => {
    assert.deepEqual(await ids({ subject: ALICE }), idsOf(4, 1, 0));
    assert.deepEqual(await ids({ subject: ' bob.customer@example.COM ' }), idsOf(5, 3, 2));
    assert.deepEqual(await ids({ subject: 'nobody@example.com' }), []);
    assert.deepEqual(await ids({ subject: ALICE, fields: { outcome: 'denied' } }), idsOf(4));
    assert.ok(!svc.logs.join('').includes('customer@example'), 'no subject value in the service log');
  });

  it('finds by keyword over the clear part only, case-insensitive substrings', async () => {
    assert.deepEqual(await ids({ keyword: 'DEACTIV' }), idsOf(5));
    assert.deepEqual(await ids({ keyword: 'gateway' }), idsOf(5, 4));
    assert.deepEqual(await ids({ keyword: 'invoice/77' }), [], 'details are sealed: not searchable');
    assert.deepEqual(await ids({ keyword: 'alice' }), [], 'the subject is sealed: not searchable');
  });

  it('pages with a cursor, every event once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await svc.local().queryEvents({ source: 'audit', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, idsOf(5, 4, 3, 2, 1, 0));
  });

  it('answers with the sealed sections, which the department keys open and no other', async () => {
    const [hit] = (await svc.local().queryEvents({ source: 'audit', type: 'customer.billed' })).events;
    const env = hit!.envelope as unknown as Envelope;
    assert.equal(env.id, events[3]!.id);
    assert.deepEqual(Object.keys(env.sections).sort(), ['security', 'support']);
    assert.ok(!JSON.stringify(env).includes('4200'), 'the details are not in clear in the answer');
    const keys = await readSubjectKeys(brokers, svc.config.subjectKeys.topic, [env]);
    const security = await openEnvelopeSection(departmentKeyring(svc.dataDir, 'security'), env, 'security', keys);
    assert.deepEqual(security.plaintext.fields['details'], events[3]!.details);
    const support = await openEnvelopeSection(departmentKeyring(svc.dataDir, 'support'), env, 'support', keys);
    assert.equal(support.plaintext.fields['subject'], BOB);
    await assert.rejects(openEnvelopeSection(departmentKeyring(svc.dataDir, 'analytics'), env, 'security', keys), 'another department cannot');
  });

  it('refuses bad queries with a clear 400', async () => {
    const cases: [unknown, RegExp][] = [
      [{ keyword: 'ab' }, /at least 3 characters/],
      [{ source: 'nope' }, /not indexed here; indexed sources: audit/],
      [{ from: T0 + HOUR, to: T0 }, /`from` must be before `to`/],
      [{ cursor: 'bm90LWEtY3Vyc29y' }, /cursor is not one this server handed out/],
      [{ fields: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}`, 'x'])) }, /at most 8 field filters/],
      [{ fields: { 'has space': 'x' } }, /field path/],
      [{ sort: 'time' }, /sort/],
      [{ limit: 501 }, /limit/],
    ];
    for (const [body, message] of cases) {
      const r = await postQuery(svc, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.json.error.message, message);
    }
    const anon = await fetch(`${svc.admin.url}/admin/v1/events/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(anon.status, 401);
  });

  it('keeps no personal value in clear in the index files, which are owner-only', async () => {
    const files = readdirSync(svc.dataDir).filter((n) => n.startsWith('event-index.db'));
    assert.ok(files.length >= 1);
    const personal = ['alice.customer', 'bob.customer', 'corp.example', 'private note', 'invoice/77', '4200'];
    let clearSeen = false;
    for (const f of files) {
      assert.equal(statSync(join(svc.dataDir, f)).mode & 0o777, 0o600, f);
      const bytes = readFileSync(join(svc.dataDir, f));
      for (const v of personal) assert.equal(bytes.indexOf(v), -1, `${f} holds no "${v}"`);
      clearSeen ||= bytes.indexOf('account.deactivated') !== -1;
    }
    assert.ok(clearSeen, 'the scan can see what is there: the clear type is found');
  });
});
