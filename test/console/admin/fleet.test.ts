// The console's Node side against a FLEET: two real ingest service instances (own data dirs, own admin listeners,
// own local admin tokens) on the real broker, called through the contract's dispatch as Electron main and the test
// bridge call it. Every call names its service; Backlog's fleet status adds them up; the fleet is remembered.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { startAdminService, type AdminTestService } from '../../ingest-service/admin/support.js';
import { consoleOn, startStallingRelay, TEST_BOX } from './support.js';
import { until } from '../../support/until.js';

/** A SendGrid batch of `n` seed events with ids of their own (so no dedupe drops them). */
const batchOf = (n: number, tag: string): string =>
  JSON.stringify(JSON.parse(SEED_BATCH.toString()).slice(0, n).map((e: Record<string, unknown>, i: number) => ({ ...e, sg_event_id: `fleet-${tag}-${i}-${Date.now()}` })));

describe('console fleet: two real ingest services side by side', () => {
  let a: AdminTestService;
  let b: AdminTestService;
  let dir: string;
  let c: ReturnType<typeof consoleOn>;
  const tokenOf = (s: AdminTestService): string => s.admin.localToken!.token;

  before(async () => {
    const { brokers } = await ensureKafka();
    [a, b] = await Promise.all([
      // Each its own audit topic, so each trail shows only what was done to that instance.
      startAdminService({ brokers, admin: { serverId: 'ingest-a', audit: { topic: uniqueTopic('fleet-audit-a') } } }),
      startAdminService({ brokers, admin: { serverId: 'ingest-b', audit: { topic: uniqueTopic('fleet-audit-b') } } }),
    ]);
    assert.notEqual(a.dataDir, b.dataDir);
    dir = mkdtempSync(join(tmpdir(), 'sp-console-fleet-'));
    c = consoleOn();
  });
  after(async () => {
    await c?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in to each service with its own local token; one service\'s token opens nothing on the other', async () => {
    const wrong = await c.refusal('service:connect', { url: b.admin.url, auth: { kind: 'token', token: tokenOf(a) }, remember: false });
    assert.equal(wrong.code, 'SP_ADMIN_LOCAL_TOKEN_REFUSED');
    await c.call('service:connect', { url: a.admin.url, auth: { kind: 'token', token: tokenOf(a) }, remember: false });
    const st = await c.call('service:connect', { url: `${b.admin.url}/`, auth: { kind: 'token', token: tokenOf(b) }, remember: false });
    assert.deepEqual(
      st.connected.map((s) => [s.url, s.session.serverId, s.session.identity.roles.join()]),
      [
        [a.admin.url, 'ingest-a', 'admin'],
        [b.admin.url, 'ingest-b', 'admin'],
      ],
    );
    assert.equal(st.auditService, a.admin.url, 'reports go to the first service signed in to');
    assert.ok(!JSON.stringify(st).includes(tokenOf(a)) && !JSON.stringify(st).includes(tokenOf(b)), 'no token reaches the renderer');
  });

  it('every call names its service: a pause on one holds only that one, and Backlog\'s fleet status adds both up', async () => {
    assert.equal((await c.call('service:status', { service: a.admin.url })).serverId, 'ingest-a');
    assert.equal((await c.call('service:status', { service: b.admin.url })).serverId, 'ingest-b');
    assert.equal((await c.call('source:pause', { service: a.admin.url, source: 'sendgrid', reason: 'fleet test' })).paused, true);
    assert.equal((await a.postSendgrid(batchOf(3, 'a1'))).status, 200);
    assert.equal((await a.postSendgrid(batchOf(2, 'a2'))).status, 200);
    assert.equal((await b.postSendgrid(batchOf(4, 'b1'))).status, 200);

    const fleet = await until(
      'A holding 2 entries, B forwarding its 4 events, and the rates sampled',
      () => c.call('fleet:status'),
      (f) => f.members[0]?.status?.journal.pendingTotal === 2 && f.members[1]?.status?.sources.find((s) => s.id === 'sendgrid')?.forwarded === 4 && f.totals.acceptRate > 0,
    );
    const [ma, mb] = fleet.members;
    assert.deepEqual([ma!.service, ma!.label, mb!.service, mb!.label], [a.admin.url, 'ingest-a', b.admin.url, 'ingest-b']);
    assert.ok(ma!.status!.sources.find((s) => s.id === 'sendgrid')!.paused, 'A is paused');
    assert.equal(mb!.status!.sources.find((s) => s.id === 'sendgrid')!.paused, null, 'B is not: the pause went to A only');
    assert.equal(mb!.status!.journal.pendingTotal, 0);
    const t = fleet.totals;
    assert.equal(t.services, 2);
    assert.equal(t.reachable, 2);
    assert.equal(t.healthy, 2);
    assert.equal(t.pending, 2);
    assert.equal(t.oldestPendingAgeSeconds, ma!.status!.journal.oldestPendingAgeSeconds, 'the oldest wait is A\'s');
    const rate = (k: 'acceptRate' | 'forwardRate') => fleet.members.reduce((n, m) => n + m.status!.sources.reduce((x, s) => x + s[k], 0), 0);
    assert.ok(Math.abs(t.acceptRate - rate('acceptRate')) < 1e-9 && t.acceptRate > 0, `accepted/s ${t.acceptRate}: the sum over both`);
    assert.ok(Math.abs(t.forwardRate - rate('forwardRate')) < 1e-9, `forwarded/s ${t.forwardRate}: the sum over both`);

    const entries = await c.call('backlog:list', { service: a.admin.url });
    assert.equal(entries.entries.length, 2);
    assert.equal((await c.call('backlog:list', { service: b.admin.url })).entries.length, 0);
    assert.equal((await c.call('source:resume', { service: a.admin.url, source: 'sendgrid' })).paused, false);
    assert.equal((await c.call('backlog:drain', { service: a.admin.url, timeoutMs: 30_000 })).pendingAfter, 0);
    // The audit records of the pause, resume and drain are journal entries too: they follow on their own.
    await until('the fleet backlog empty', () => c.call('fleet:status'), (f) => f.totals.pending === 0);

    const trail = async (s: AdminTestService) => (await c.call('audit:query', { service: s.admin.url, action: 'pause' })).events.length;
    await until('the pause in A\'s audit trail', () => trail(a), (n) => n === 1);
    assert.equal(await trail(b), 0, 'and not in B\'s');
  });

  it('a call naming a service the console is not signed in to is refused, never sent to another', async () => {
    const other = 'http://127.0.0.1:40401';
    const e = await c.refusal('backlog:drain', { service: other });
    assert.equal(e.code, 'SP_CONSOLE_SERVICE_NOT_CONNECTED');
    assert.match(e.message, /127\.0\.0\.1:40401/);
    assert.equal((await c.refusal('source:pause', { source: 'sendgrid' })).code, 'SP_CONSOLE_BAD_ARGS', 'no target: refused before anything is sent');
    const st = await c.call('fleet:status');
    assert.ok(st.members.every((m) => m.status?.sources.every((s) => !s.paused)), 'nothing paused anywhere');
  });

  it('remembers the fleet owner-only, each token sealed; a restarted console signs in to both with the saved tokens', async () => {
    const file = join(dir, 'service.json');
    const first = consoleOn({ file, secrets: TEST_BOX });
    await first.call('service:connect', { url: a.admin.url, auth: { kind: 'token', token: tokenOf(a) } });
    await first.call('service:connect', { url: b.admin.url, auth: { kind: 'token', token: tokenOf(b) } });
    await first.close();
    assert.equal(statSync(file).mode & 0o777, 0o600, 'owner-only');
    const onDisk = readFileSync(file, 'utf8');
    assert.ok(!onDisk.includes(tokenOf(a)) && !onDisk.includes(tokenOf(b)), 'no token in clear');
    assert.equal(JSON.parse(onDisk).version, 2);

    const restarted = consoleOn({ file, secrets: TEST_BOX });
    const st = await restarted.call('service:state');
    assert.deepEqual(st.saved.map((s) => [s.url, s.tokenSaved]), [
      [a.admin.url, true],
      [b.admin.url, true],
    ]);
    for (const s of [a, b]) await restarted.call('service:connect', { url: s.admin.url, auth: { kind: 'token' } });
    assert.equal((await restarted.call('fleet:status')).totals.reachable, 2);
    const left = await restarted.call('service:disconnect', { service: a.admin.url, forget: true });
    assert.deepEqual(left.saved.map((s) => s.url), [b.admin.url], 'forgetting one keeps the other');
    assert.deepEqual(left.connected.map((s) => s.url), [b.admin.url]);
    assert.equal(left.auditService, b.admin.url);
    await restarted.close();
  });

  it('a connection saved before fleets (version 1 file) still loads, signs in, and is kept when a second is added', async () => {
    const file = join(dir, 'old-service.json');
    const old = {
      version: 1,
      connection: { url: a.admin.url, serverId: null, auth: 'token', profile: null, region: null, stsEndpoint: null, ca: null, sealedToken: TEST_BOX.encrypt(tokenOf(a)) },
    };
    writeFileSync(file, JSON.stringify(old, null, 2), { mode: 0o600 });
    const con = consoleOn({ file, secrets: TEST_BOX });
    assert.deepEqual((await con.call('service:state')).saved.map((s) => [s.url, s.tokenSaved]), [[a.admin.url, true]]);
    const st = await con.call('service:connect', { url: a.admin.url, auth: { kind: 'token' } });
    assert.equal(st.connected[0]?.session.serverId, 'ingest-a', 'signed in with the token saved by the old console');
    await con.call('service:connect', { url: b.admin.url, auth: { kind: 'token', token: tokenOf(b) } });
    await con.close();
    const now = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(now.version, 2);
    assert.deepEqual(now.connections.map((x: { url: string }) => x.url), [a.admin.url, b.admin.url]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('a service that stops answering costs the fleet status its deadline, not a minute; the others still show', async () => {
    const relay = await startStallingRelay(b.admin.url);
    const con = consoleOn();
    try {
      await con.call('service:connect', { url: a.admin.url, auth: { kind: 'token', token: tokenOf(a) }, remember: false });
      await con.call('service:connect', { url: relay.url, auth: { kind: 'token', token: tokenOf(b) }, remember: false });
      assert.equal((await con.call('fleet:status')).totals.reachable, 2, 'through the relay, B answers');
      relay.stall();
      for (let poll = 0; poll < 2; poll++) {
        const t0 = Date.now();
        const f = await con.call('fleet:status');
        const took = Date.now() - t0;
        assert.ok(took >= 4_500 && took < 8_000, `poll ${poll} waited ${took} ms: the 5 s deadline, not the client's minute`);
        assert.ok(f.members[0]!.status, 'A still shows');
        assert.equal(f.members[1]!.error?.code, 'SP_CONSOLE_SERVICE_SLOW');
        assert.deepEqual(f.members[1]!.problems, ['not answering']);
        assert.deepEqual([f.totals.reachable, f.totals.healthy], [1, 1]);
      }
    } finally {
      await con.close();
      await relay.close();
    }
  });

  it('one service down: the other still shows, the totals say one of two answered', async () => {
    await b.stop();
    const f = await c.call('fleet:status');
    b = undefined as unknown as AdminTestService;
    const [ma, mb] = f.members;
    assert.ok(ma!.status, 'A still answers');
    assert.equal(mb!.status, null);
    assert.equal(mb!.error?.code, 'SP_ADMIN_CLIENT_UNREACHABLE');
    assert.deepEqual(mb!.problems, ['unreachable']);
    assert.deepEqual([f.totals.services, f.totals.reachable, f.totals.healthy], [2, 1, 1]);
  });
});
