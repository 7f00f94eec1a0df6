import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminSchema } from '../../../ingest-service/src/admin/index.js';
import { createAdminClient } from '../../../shared/aws-sign-in/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { SEED_BATCH, startTestService } from '../../support/ingest.js';
import { selfSigned } from '../../support/tls.js';
import { startAdminService, type AdminTestService } from './support.js';

async function codeOf(p: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await p;
  } catch (err) {
    if (isSealpostError(err)) return { code: err.code, status: err.status };
    throw err;
  }
  return { code: 'ACCEPTED', status: 200 };
}

const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('admin listener: TLS off loopback, local token on loopback only', { skip: external ? false : 'no non-loopback IPv4 address on this machine to connect from' }, () => {
  let svc: AdminTestService;
  let dir: string;
  let ca: Buffer;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealpost-admin-tls-'));
    const tls = selfSigned(dir, external!, 'admin');
    ca = readFileSync(tls.cert);
    svc = await startAdminService({ admin: { listen: { host: '0.0.0.0', port: 0, tls }, localToken: true } });
    port = Number(new URL(svc.admin.url).port);
  });
  after(async () => {
    await svc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS, trusted through the client `ca` option', async () => {
    assert.match(svc.admin.url, /^https:/);
    const c = createAdminClient({ url: `https://127.0.0.1:${port}`, ca, token: svc.admin.localToken!.token });
    assert.equal((await c.session()).via, 'local-token');
    const untrusted = createAdminClient({ url: `https://127.0.0.1:${port}`, token: svc.admin.localToken!.token });
    assert.equal((await codeOf(untrusted.session())).code, 'SP_ADMIN_CLIENT_UNREACHABLE', 'an unknown certificate is refused, not ignored');
  });

  it('refuses the local admin token from a non-loopback address, even with the right token', async () => {
    const c = createAdminClient({ url: `https://${external}:${port}`, ca, token: svc.admin.localToken!.token });
    const r = await codeOf(c.status());
    assert.equal(r.status, 403);
    assert.equal(r.code, 'SP_ADMIN_LOCAL_TOKEN_REFUSED');
  });

  it('keeps the local token in a 0600 file and refuses a wrong one', async () => {
    const file = svc.admin.localToken!.file;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), svc.admin.localToken!.token);
    const wrong = createAdminClient({ url: `https://127.0.0.1:${port}`, ca, token: `sealpost-local-${'A'.repeat(43)}` });
    assert.equal((await codeOf(wrong.status())).code, 'SP_ADMIN_LOCAL_TOKEN_REFUSED');
  });
});

describe('admin listener start-up checks', () => {
  it('refuses plain HTTP off loopback as a config error (caught by --check, before anything starts)', () => {
    const r = adminSchema.safeParse({ listen: { host: '0.0.0.0' } });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /admin\.listen\.tls/);
    assert.deepEqual(r.error!.issues[0]!.path, ['listen', 'tls']);
    assert.ok(adminSchema.safeParse({ listen: { host: '127.0.0.2' } }).success);
    assert.ok(adminSchema.safeParse({ listen: { host: '0.0.0.0', tls: 'ingest' } }).success);
  });

  it('refuses an audit source id that is also a configured source', async () => {
    const err = await startTestService({ overrides: { admin: { listen: { port: 0 }, audit: { source: 'audit', topic: 'x' } } } }).then(
      async (s) => {
        await s.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    assert.ok(isSealpostError(err, 'SP_AUDIT_SOURCE_COLLISION'), String(err));
  });

  it('creates the local token once and keeps it across restarts', async () => {
    const first = await startAdminService({ admin: {} });
    const token = first.admin.localToken!;
    assert.equal(token.createdNow, true);
    await first.stop({ keepData: true });
    const dataDir = first.dataDir;
    const again = await startTestService({ dataDir, overrides: { admin: { listen: { port: 0 } } } });
    try {
      assert.equal(again.service.admin!.localToken!.createdNow, false);
      assert.equal(again.service.admin!.localToken!.token, token.token);
    } finally {
      await again.stop();
    }
  });
});

describe('with Kafka away', () => {
  let svc: AdminTestService;
  before(async () => {
    // Port 1 on loopback: nothing listens, every produce fails at once.
    svc = await startAdminService({ brokers: ['127.0.0.1:1'], admin: {} });
  });
  after(async () => svc?.stop());

  it('status says Kafka is unhealthy, drain answers drained:false with the reason, and the audit trail waits in the journal', async () => {
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    const admin = svc.local();
    const deadline = Date.now() + 60_000;
    while (!(await admin.status()).kafka.forwarder?.lastError && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const d = await admin.drain({ timeoutMs: 1000 });
    assert.equal(d.drained, false);
    assert.ok(d.pendingAfter >= 1);
    assert.equal(d.lastError?.code, 'SP_KAFKA_SEND_FAILED');
    const s = await admin.status();
    assert.equal(s.kafka.healthy, false);
    assert.equal(s.kms.healthy, true, 'a Kafka failure is not a KMS failure');
    assert.ok(s.sources.find((x) => x.id === 'sealpost-audit')!.pending >= 1, 'the drain audit event is journaled, waiting for Kafka');
    const ev = (await admin.queryAudit({ action: 'drain' })).events[0]!;
    assert.equal(ev.details.drained, false);
  });
});
