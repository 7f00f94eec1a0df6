// The console's service channels against the REAL ingest service (admin API, local token) and the real broker:
// the same handlers Electron main and the test bridge run, called through the contract's dispatch.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { startAdminService, type AdminTestService } from '../../ingest-service/admin/support.js';
import { consoleOn, sleep, TEST_BOX } from './support.js';
import { until } from '../../support/until.js';

describe('console service channels on the real ingest service and broker', () => {
  let brokers: string[];
  let svc: AdminTestService;
  let token: string;
  let c: ReturnType<typeof consoleOn>;
  let dir: string;
  const started = Date.now();
  /** The service every call below targets. */
  const on = () => ({ service: svc.admin.url });

  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startAdminService({ brokers, admin: { audit: { topic: uniqueTopic('console-audit') } } });
    token = svc.admin.localToken!.token;
    dir = mkdtempSync(join(tmpdir(), 'sp-console-service-'));
    // The service's keys and keys topic: it writes v2 records, whose sections open through their subject keys.
    c = consoleOn({ keysDir: join(svc.dataDir, 'keys'), keysTopic: svc.config.subjectKeys.topic });
  });
  after(async () => {
    await c?.close();
    await svc?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses hostile service URLs and tokens before anything is sent', async () => {
    const bad: [string, unknown][] = [
      ['plain http off this machine (a token would travel in clear)', { url: 'http://ingest.example.net:8788', auth: { kind: 'token', token: 'x'.repeat(20) } }],
      ['credentials in the URL', { url: 'https://user:pw@ingest.example.net:8788', auth: { kind: 'token', token: 'x'.repeat(20) } }],
      ['a query string', { url: 'https://ingest.example.net:8788/?redirect=evil', auth: { kind: 'token', token: 'x'.repeat(20) } }],
      ['javascript URL', { url: 'javascript:alert(1)', auth: { kind: 'token', token: 'x'.repeat(20) } }],
      ['file URL', { url: 'file:///etc/passwd', auth: { kind: 'token', token: 'x'.repeat(20) } }],
      ['a token with a header break', { url: 'http://127.0.0.1:1', auth: { kind: 'token', token: 'abcdefghijklmnopq\r\nx-evil: 1' } }],
      ['AWS sign-in without the server id', { url: 'https://ingest.example.net:8788', auth: { kind: 'aws', profile: 'ops' } }],
      ['a profile with shell characters', { url: 'https://ingest.example.net:8788', serverId: 's1', auth: { kind: 'aws', profile: 'ops; rm -rf /' } }],
    ];
    for (const [why, args] of bad) assert.equal((await c.refusal('service:connect', args)).code, 'SP_CONSOLE_BAD_ARGS', why);
    assert.equal((await c.refusal('dead-letter:discard', { service: 'http://127.0.0.1:1', id: 1, reason: '   ' })).code, 'SP_CONSOLE_BAD_ARGS', 'discard needs a stated reason');
    assert.equal((await c.refusal('service:status', { service: svc.admin.url })).code, 'SP_CONSOLE_SERVICE_NOT_CONNECTED');
    assert.equal((await c.refusal('service:status')).code, 'SP_CONSOLE_BAD_ARGS', 'a call that names no service is refused');
  });

  it('a wrong token is refused by the service and leaves the console disconnected', async () => {
    const e = await c.refusal('service:connect', { url: svc.admin.url, auth: { kind: 'token', token: `sealpost-local-${'A'.repeat(43)}` }, remember: false });
    assert.equal(e.code, 'SP_ADMIN_LOCAL_TOKEN_REFUSED');
    assert.deepEqual((await c.call('service:state')).connected, []);
  });

  it('signs in with the local token: who am I and roles, and the renderer never sees the token', async () => {
    const st = await c.call('service:connect', { url: `${svc.admin.url}/`, auth: { kind: 'token', token }, remember: false });
    assert.equal(st.connected[0]?.url, svc.admin.url, 'trailing slash dropped');
    assert.equal(st.connected[0]?.session.via, 'local-token');
    assert.deepEqual(st.connected[0]?.session.identity.roles, ['admin']);
    assert.ok(st.connected[0]?.session.permissions.includes('dead-letters:discard'));
    assert.ok(!JSON.stringify(st).includes(token), 'no token in what the renderer receives');
    assert.ok(!JSON.stringify(await c.call('service:state')).includes(token));
  });

  it('status and history: rates, backlog, Kafka and KMS health per source', async () => {
    await sleep(1100);
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    const s = await until('the seed batch forwarded', () => c.call('service:status', on()), (x) => x.sources.find((y) => y.id === 'sendgrid')?.forwarded === 14);
    const sg = s.sources.find((y) => y.id === 'sendgrid')!;
    assert.equal(sg.accepted, 14);
    assert.equal(sg.pending, 0);
    assert.ok(sg.acceptRate > 0);
    assert.equal(s.kafka.healthy, true);
    assert.equal(s.kms.healthy, true);
    const h = await c.call('service:history', on());
    assert.ok(h.samples.length >= 1);
  });

  it('pause holds a source (visible in the backlog), resume and drain empty it', async () => {
    const p = await c.call('source:pause', { ...on(), source: 'sendgrid', reason: 'consumer migration' });
    assert.equal(p.paused, true);
    const batch = JSON.stringify(JSON.parse(SEED_BATCH.toString()).slice(0, 3).map((e: Record<string, unknown>, i: number) => ({ ...e, sg_event_id: `console-paused-${i}-${Date.now()}` })));
    assert.equal((await svc.postSendgrid(batch)).status, 200);
    const b = await until('the entry waiting in the journal', () => c.call('backlog:list', { ...on(), source: 'sendgrid' }), (x) => x.entries.length === 1);
    assert.equal(b.pendingBySource.sendgrid, 1);
    assert.equal(b.entries[0]!.size, Buffer.byteLength(batch));
    const s = await c.call('service:status', on());
    assert.equal(s.sources.find((x) => x.id === 'sendgrid')?.paused?.reason, 'consumer migration');
    assert.equal((await c.call('source:resume', { ...on(), source: 'sendgrid' })).paused, false);
    const d = await c.call('backlog:drain', { ...on(), timeoutMs: 30_000 });
    assert.equal(d.drained, true);
    assert.equal(d.pendingAfter, 0);
    const trail = (await c.call('audit:query', { ...on(), from: started })).events.map((e) => `${e.action}:${e.target}:${e.outcome}`);
    for (const expected of ['pause:source/sendgrid:success', 'resume:source/sendgrid:success', 'drain:backlog/all:success']) assert.ok(trail.includes(expected), `${expected} in ${trail.join(', ')}`);
  });

  it('dead letters: listed, re-driven, discarded with the typed reason; unknown ones say so', async () => {
    assert.equal((await svc.postSendgrid('{"not json')).status, 200);
    const [dl] = await until('a dead letter', () => c.call('dead-letters:list', { ...on(), state: 'open' }), (l) => l.length === 1);
    assert.equal(dl!.reason, 'invalid_json');
    const { seq } = await c.call('dead-letter:redrive', { ...on(), id: dl!.id });
    assert.ok(seq > dl!.seq);
    const [again] = await until('the re-driven entry dead-lettered again', () => c.call('dead-letters:list', { ...on(), state: 'open' }), (l) => l.length === 1 && l[0]!.id !== dl!.id);
    assert.deepEqual(await c.call('dead-letter:discard', { ...on(), id: again!.id, reason: 'sender confirmed it was a test' }), { id: again!.id, state: 'discarded' });
    assert.equal((await c.refusal('dead-letter:discard', { ...on(), id: again!.id, reason: 'twice' })).code, 'SP_DEAD_LETTER_RESOLVED');
    assert.equal((await c.refusal('dead-letter:redrive', { ...on(), id: 999_999 })).code, 'SP_DEAD_LETTER_NOT_FOUND');
    const trail = (await c.call('audit:query', { ...on(), target: 'dead-letter/*' })).events.map((e) => `${e.action}:${e.outcome}`);
    assert.deepEqual(trail.sort(), ['discard:failure', 'discard:success', 'redrive:failure', 'redrive:success'].sort());
  });

  it('forgets a person through the service (docs/forget.md); a non-address is refused before anything is sent', async () => {
    assert.equal((await c.refusal('subject:forget', { ...on(), address: 'Chris Smith', reason: 'DSR-1' })).code, 'SP_CONSOLE_BAD_ARGS');
    assert.equal((await c.refusal('subject:forget', { ...on(), address: 'chris@gmail.com', reason: ' ' })).code, 'SP_CONSOLE_BAD_ARGS');
    const r = await c.call('subject:forget', { ...on(), address: 'nobody-here@example.com', reason: 'DSR-1' });
    assert.equal(r.keysTombstoned, 0);
    assert.match(r.subject, /^[A-Za-z0-9_-]{22}$/);
    const trail = (await c.call('audit:query', { ...on(), action: 'forget' })).events;
    assert.deepEqual(trail.map((e) => `${e.target}:${e.outcome}`), [`subject/${r.subject}:success`]);
  });

  it('replays a range with progress, lists it, and cancel answers for a finished job', async () => {
    const source = svc.config.sources[0]!.topic!;
    const target = uniqueTopic('console-replay');
    const job = await c.call('replay:start', { ...on(), sourceTopic: source, targetTopic: target, ranges: [{ partition: 'all', from: { offset: '0' }, to: { time: Date.now() + 60_000 } }] });
    assert.equal(job.sourceTopic, source);
    const done = await until('the replay to finish', () => c.call('replay:status', { ...on(), id: job.id }), (j) => j.state !== 'running');
    assert.equal(done.state, 'done');
    assert.ok(done.copied >= 14 && done.copied === done.total, `copied ${done.copied} of ${done.total}`);
    assert.ok((await c.call('replay:list', on())).some((j) => j.id === job.id));
    assert.equal((await c.call('replay:cancel', { ...on(), id: job.id })).state, 'done', 'a finished job stays finished');
    assert.equal((await c.refusal('replay:start', { ...on(), sourceTopic: source, targetTopic: source, ranges: [{ partition: 0, from: { offset: '0' }, to: { offset: '1' } }] })).code, 'SP_CONSOLE_BAD_ARGS');
  });

  it('reports its own decryptions and exports to the audit trail, with clear facts only', async () => {
    // Sections under subject keys open through the test service's own keys topic.
    await c.call('settings:set', { subjectKeysTopic: svc.config.subjectKeys.topic });
    await c.call('console:connect', { connection: { name: 'local', brokers } });
    const topic = svc.config.sources[0]!.topic!;
    const w = await c.call('messages:window', { topic, mode: 'newest', limit: 5 });
    assert.equal(w.rows.length, 5);
    const ids = w.rows.map((r) => r.id);
    const dec = await c.call('messages:decrypt', { topic, ids, profile: 'local' });
    assert.ok(dec.rows.some((r) => r.sections.support?.state === 'open'), 'local keys open the support section');
    const exp = await c.call('export', { topic, format: 'csv', ids, profile: 'local' });
    assert.equal(exp.rows, 5);

    const decrypts = (await until('the decrypt report', () => c.call('audit:query', { ...on(), action: 'decrypt', target: `topic/${topic}` }), (r) => r.events.length >= 1)).events;
    const d = decrypts[0]!;
    assert.equal(d.outcome, 'success');
    assert.equal(d.actor.arn, 'local-admin');
    assert.equal(d.details.records, 5);
    assert.deepEqual(d.details.opened, ['security', 'support']);
    assert.equal(d.details.profile, 'local');
    const exports = (await until('the export report', () => c.call('audit:query', { ...on(), action: 'export' }), (r) => r.events.length >= 1)).events;
    assert.deepEqual({ ...exports[0]!.details }, { records: 5, format: 'csv', decrypted: true, profile: 'local', rows: 5, bytes: exp.bytes });
    const trail = JSON.stringify([...decrypts, ...exports]);
    assert.ok(!trail.includes('@example.com'), 'no opened value reaches the trail');
    const st = await c.call('service:state');
    assert.equal(st.audit.failed, 0);
    assert.ok(st.audit.reported >= 2);
  });

  it('reports an opened-field scan to the audit trail like a decryption, without what was searched for', async () => {
    const topic = svc.config.sources[0]!.topic!;
    const start = await c.call('scan:start', { topic, filters: {}, direction: 'oldest-first', profile: 'local', opened: { field: 'email', value: 'example@test.com' } });
    const p = await until('the scan', () => c.call('scan:progress', { scanId: start.scanId }), (x) => x.state !== 'running');
    assert.equal(p.state, 'done');
    assert.ok(p.matched > 0 && p.matched < p.scanned, `${p.matched} of ${p.scanned} seed events are example@test.com's`);
    const found = await until(
      'the scan report',
      () => c.call('audit:query', { ...on(), action: 'decrypt', target: `topic/${topic}` }),
      (r) => r.events.some((e) => e.details.purpose === 'opened-field-scan'),
    );
    const e = found.events.find((x) => x.details.purpose === 'opened-field-scan')!;
    assert.equal(e.outcome, 'success');
    assert.deepEqual({ ...e.details }, { purpose: 'opened-field-scan', state: 'done', records: p.opened!.searched, matched: p.matched, locked: 0, opened: ['security', 'support'], field: 'email', profile: 'local' });
    assert.ok(!JSON.stringify(found).includes('test.com'), 'the value searched for is not in the trail');
  });

  it('remembers a token only sealed, reconnects with it after a restart; without a keychain it is not kept', async () => {
    const file = join(dir, 'service.json');
    const first = consoleOn({ file, secrets: TEST_BOX });
    const st = await first.call('service:connect', { url: svc.admin.url, auth: { kind: 'token', token } });
    assert.equal(st.saved[0]?.tokenSaved, true);
    await first.close();
    const onDisk = readFileSync(file, 'utf8');
    assert.ok(!onDisk.includes(token) && !onDisk.includes(token.slice(15, 40)), 'the token is not in the file in clear');
    assert.match(onDisk, /"sealedToken": "sealed:/);

    const restarted = consoleOn({ file, secrets: TEST_BOX });
    assert.equal((await restarted.call('service:state')).saved[0]?.url, svc.admin.url);
    const again = await restarted.call('service:connect', { url: svc.admin.url, auth: { kind: 'token' } });
    assert.equal(again.connected[0]?.session.via, 'local-token', 'signed in with the saved token, nothing pasted');
    await restarted.call('service:disconnect', { service: svc.admin.url, forget: true });
    assert.deepEqual((await restarted.call('service:state')).saved, []);
    await restarted.close();

    const noKeychain = consoleOn({ file: join(dir, 'plain.json') });
    const s2 = await noKeychain.call('service:connect', { url: svc.admin.url, auth: { kind: 'token', token } });
    assert.equal(s2.saved[0]?.tokenSaved, false);
    assert.equal(s2.secretsEncrypted, false);
    assert.ok(!readFileSync(join(dir, 'plain.json'), 'utf8').includes(token));
    await noKeychain.call('service:disconnect', { service: svc.admin.url });
    assert.equal((await noKeychain.refusal('service:connect', { url: svc.admin.url, auth: { kind: 'token' } })).code, 'SP_CONSOLE_SERVICE_NO_TOKEN');
    await noKeychain.close();
  });

  it('a report that cannot be delivered never blocks the decrypt; it shows as a warning', async () => {
    const topic = svc.config.sources[0]!.topic!;
    const w = await c.call('messages:window', { topic, mode: 'newest', limit: 3 });
    await svc.stop();
    svc = undefined as unknown as AdminTestService;
    const t0 = Date.now();
    const dec = await c.call('messages:decrypt', { topic, ids: w.rows.map((r) => r.id), profile: 'local' });
    const took = Date.now() - t0;
    assert.equal(dec.rows.length, 3);
    const st = await until('the failed report', () => c.call('service:state'), (s) => s.audit.failed >= 1);
    assert.equal(st.audit.lastFailure?.code, 'SP_ADMIN_CLIENT_UNREACHABLE');
    assert.equal(st.audit.lastFailure?.action, 'decrypt');
    assert.ok(took < 5_000, `the decrypt did not wait for the service (${took} ms)`);
  });
});
