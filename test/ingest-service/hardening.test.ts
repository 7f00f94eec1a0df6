import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startupWarnings } from '../../ingest-service/src/config/startup-warnings.js';
import { createLogger } from '../../ingest-service/src/log/logger.js';
import { createRefusalLog } from '../../ingest-service/src/log/refusal-log.js';
import { createVerifier } from '../../ingest-service/src/verify/index.js';
import { testConfig, tempDataDir } from '../support/ingest.js';
import { createSnsSigner } from '../support/sns-signer.js';
import { startAdminService, type AdminTestService } from './admin/support.js';
import { recordingLog, rejectsWith, source } from './verify/support.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef-0123456789';

function captured(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return { lines, stream: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) };
}

describe('hardening: logs', () => {
  it('redacts an SNS SubscribeURL and its Token wherever they appear in a log object', () => {
    const { lines, stream } = captured();
    const log = createLogger('info', stream);
    const url = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=SECRET-TOKEN-123';
    log.warn({ subscribeUrl: url, msg: { SubscribeURL: url, Token: 'SECRET-TOKEN-123' }, sns: { subscribeUrl: url, token: 'SECRET-TOKEN-123' } }, 'x');
    assert.ok(!lines.join('').includes('SECRET-TOKEN-123'), lines.join(''));
  });

  it('logs refusals with listener, source, reason and client, at most perMinute per reason, counting what it held back', () => {
    const logged: Record<string, unknown>[] = [];
    let now = 0;
    const refusals = createRefusalLog({ log: { warn: (o: Record<string, unknown>) => logged.push(o) } as never, now: () => now, perMinute: 3 });
    for (let i = 0; i < 10; i++) refusals.refused({ listener: 'ingest', source: 'sendgrid', reason: 'bad_signature', status: 401, client: '192.0.2.9' });
    refusals.refused({ listener: 'ingest', source: 'sendgrid', reason: 'stale_timestamp', status: 401, client: '192.0.2.9' });
    assert.equal(logged.length, 4, 'three bad_signature lines, one stale_timestamp');
    assert.deepEqual(logged[0], { listener: 'ingest', source: 'sendgrid', reason: 'bad_signature', status: 401, client: '192.0.2.9' });
    now += 20_000;
    refusals.refused({ listener: 'ingest', source: 'sendgrid', reason: 'bad_signature', status: 401, client: '192.0.2.9' });
    assert.equal(logged.at(-1)!['suppressed'], 7);
  });

  it('warns at start about a freshness check turned off and /metrics open on a public listener', () => {
    const { config } = testConfig({ dataDir: tempDataDir() });
    assert.deepEqual(startupWarnings(config), []);
    const loose = testConfig({
      dataDir: tempDataDir(),
      overrides: { listen: { host: '0.0.0.0', port: 0, allowPlainHttp: true } },
      extraSources: [{ id: 'lax', kind: 'events', verify: { hmacSecret: 'x'.repeat(32), maxAgeSeconds: 0 } }],
    }).config;
    const warnings = startupWarnings(loose);
    assert.deepEqual(warnings.map((w) => w.fields['setting']), ['sources.lax.verify.maxAgeSeconds', 'metrics']);
    assert.match(warnings[0]!.message, /freshness check off/);
  });
});

describe('hardening: SNS signature versions', () => {
  const signer = createSnsSigner();
  after(() => signer.cleanup());
  it('signatureVersions: [2] refuses SHA1 (version 1) messages before any certificate is loaded', async () => {
    const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';
    let fetched = 0;
    const v2only = createVerifier(source({ id: 'ses', kind: 'sns', verify: { topicArns: [TOPIC], fetchCertificates: true, signatureVersions: [2] } }), {
      now: Date.now,
      log: recordingLog(),
      fetchCertificate: async () => (fetched++, signer.certPem),
    });
    const v1 = Buffer.from(JSON.stringify(signer.notification({ topicArn: TOPIC, message: '{}', version: 1 })));
    const err = await rejectsWith(v2only.verify({ headers: {}, body: v1 }), 401, 'unsupported_signature_version');
    assert.match(err.message, /signatureVersions: \[2\]/);
    assert.equal(fetched, 0);
    const v2 = Buffer.from(JSON.stringify(signer.notification({ topicArn: TOPIC, message: '{}', version: 2 })));
    assert.equal((await v2only.verify({ headers: {}, body: v2 })).principal, TOPIC);
  });
});

describe('hardening: /metrics placement and refusal logs on a running service', () => {
  let svc: AdminTestService;
  before(async () => {
    svc = await startAdminService({
      admin: { localToken: true },
      overrides: { metrics: { listener: 'admin', token: METRICS_TOKEN } },
      extraSources: [{ id: 'lax', kind: 'events', verify: { hmacSecret: 'x'.repeat(32), maxAgeSeconds: 0 } }],
    });
  });
  after(async () => svc?.stop());

  it('logs the start-up warnings (here: a freshness check turned off)', () => {
    const warned = svc.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['setting'] === 'sources.lax.verify.maxAgeSeconds');
    assert.equal(warned.length, 1);
    assert.equal(warned[0]!['level'], 40, 'at warn level');
  });

  it('metrics.listener admin: no /metrics on the ingest listener; on the admin listener only with the token', async () => {
    assert.equal((await fetch(`${svc.service.url}/metrics`)).status, 404);
    const anonymous = await fetch(`${svc.admin.url}/metrics`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'SP_METRICS_UNAUTHENTICATED');
    assert.equal((await fetch(`${svc.admin.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const ok = await fetch(`${svc.admin.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /sealpost_requests_rejected_total/);
  });

  it('logs each refused request with its reason and client address, and nothing from the request', async () => {
    const before = svc.logs.length;
    const body = JSON.stringify([{ email: 'victim@example.com', event: 'delivered' }]);
    const res = await fetch(`${svc.service.url}/v1/sendgrid/sendgrid`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 401);
    const admin = await fetch(`${svc.admin.url}/admin/v1/status`);
    assert.equal(admin.status, 401);
    const lines = svc.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request refused');
    assert.deepEqual(
      lines.map((l) => [l['listener'], l['source'], l['reason'], l['status'], l['client']]),
      [
        ['ingest', 'sendgrid', 'missing_signature', 401, '127.0.0.1'],
        ['admin', undefined, 'SP_ADMIN_UNAUTHENTICATED', 401, '127.0.0.1'],
      ],
    );
    assert.ok(!svc.logs.join('').includes('victim@example.com'));
  });
});
