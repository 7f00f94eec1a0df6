import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { SignJWT } from 'jose';
import { createAdminClient, signLoginRequest, GET_CALLER_IDENTITY_BODY, type AdminClient } from '../../../shared/aws-sign-in/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { MOTO_REGION, type MotoCredentials, type MotoServer } from '../../support/moto.js';
import { postLogin, startAdminService, startTrap, startVerifyingMoto, type AdminTestService } from './support.js';

const SERVER_ID = 'ingest-test-1';
const OPS = { account: '111111111111', role: 'ops' };
const REV = { account: '222222222222', role: 'rev' };
const BOSS = { account: '333333333333', role: 'boss' };
const NOBODY = { account: '444444444444', role: 'nobody' };
const arnOf = (a: { account: string; role: string }) => `arn:aws:sts::${a.account}:assumed-role/${a.role}/test`;

async function codeOf(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isSealpostError(err)) return { code: err.code, status: err.status, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('admin sign-in with the caller AWS identity (moto STS verifying SigV4)', () => {
  let moto: MotoServer;
  let creds: MotoCredentials[];
  let svc: AdminTestService;
  const client = (): AdminClient => createAdminClient({ url: svc.admin.url, serverId: SERVER_ID });
  const signIn = (c: AdminClient, i: number) => c.signIn({ credentials: creds[i]!, region: MOTO_REGION, stsEndpoint: moto.endpoint });
  const sign = (i: number, o: { serverId?: string; stsEndpoint?: string; signingDate?: Date } = {}) =>
    signLoginRequest({ credentials: creds[i]!, serverId: o.serverId ?? SERVER_ID, region: MOTO_REGION, stsEndpoint: o.stsEndpoint ?? moto.endpoint, ...(o.signingDate ? { signingDate: o.signingDate } : {}) });

  before(async () => {
    ({ moto, creds } = await startVerifyingMoto([OPS, REV, BOSS, NOBODY]));
    svc = await startAdminService({
      admin: {
        serverId: SERVER_ID,
        localToken: true,
        aws: {
          stsEndpoints: [moto.endpoint],
          roles: [
            { arn: `arn:aws:sts::${OPS.account}:assumed-role/ops/*`, roles: ['operator'] },
            { arn: `arn:aws:sts::${REV.account}:assumed-role/rev/*`, roles: ['reviewer'] },
            { arn: `arn:aws:sts::${BOSS.account}:assumed-role/boss/*`, roles: ['admin'] },
          ],
        },
      },
    });
  });
  after(async () => {
    await svc?.stop();
    await moto?.stop();
  });

  it('signs an operator in: a session with the operator permissions, and the sign-in is audited', async () => {
    const c = client();
    const s = await signIn(c, 0);
    assert.equal(s.identity.arn, arnOf(OPS));
    assert.equal(s.identity.account, OPS.account);
    assert.deepEqual(s.identity.roles, ['operator']);
    assert.ok(s.permissions.includes('backlog:drain'));
    assert.ok(!s.permissions.includes('audit:read') && !s.permissions.includes('dead-letters:discard'));
    const ttl = Date.parse(s.expiresAt!) - Date.now();
    assert.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, `session lasts 15 minutes (got ${ttl} ms)`);
    assert.equal((await c.session()).identity.arn, arnOf(OPS));
    assert.equal((await c.status()).serverId, SERVER_ID, 'the session opens the status');

    const events = (await svc.local().queryAudit({ action: 'login', actor: arnOf(OPS) })).events;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.outcome, 'success');
    assert.equal(events[0]!.actor.role, 'ops');
    assert.equal(events[0]!.target, `server/${SERVER_ID}`);
  });

  it('refuses a forged signature: STS says SignatureDoesNotMatch, no session', async () => {
    const login = await sign(0);
    const auth = login.headers.authorization!;
    const last = auth.at(-1)!;
    const forged = { ...login, headers: { ...login.headers, authorization: auth.slice(0, -1) + (last === '0' ? '1' : '0') } };
    const r = await postLogin(svc.admin.url, forged);
    assert.equal(r.status, 401);
    assert.equal(r.code, 'SP_ADMIN_LOGIN_REJECTED');
    assert.equal(r.json.error.details.stsCode, 'SignatureDoesNotMatch');
    assert.equal(r.json.token, undefined);
  });

  it('refuses a login signed for another server and re-labelled for this one (the server id is under the signature)', async () => {
    const login = await sign(2, { serverId: 'another-server' });
    const relabelled = { ...login, headers: { ...login.headers, 'x-sealpost-server-id': SERVER_ID } };
    const r = await postLogin(svc.admin.url, relabelled);
    assert.equal(r.status, 401);
    assert.equal(r.code, 'SP_ADMIN_LOGIN_REJECTED');
  });

  it('refuses a stale or future X-Amz-Date (more than 5 minutes away) before contacting STS', async () => {
    for (const offset of [-6 * 60_000, 6 * 60_000]) {
      const r = await postLogin(svc.admin.url, await sign(0, { signingDate: new Date(Date.now() + offset) }));
      assert.equal(r.status, 401);
      assert.equal(r.code, 'SP_ADMIN_LOGIN_STALE');
      assert.match(r.json.error.message, /clock/);
    }
    const fresh = await postLogin(svc.admin.url, await sign(0, { signingDate: new Date(Date.now() - 4 * 60_000) }));
    assert.equal(fresh.status, 200, 'four minutes old is still inside the window');
  });

  it('refuses a replayed signature: the same signed request signs in once', async () => {
    const login = await sign(0);
    assert.equal((await postLogin(svc.admin.url, login)).status, 200);
    const again = await postLogin(svc.admin.url, login);
    assert.equal(again.status, 401);
    assert.equal(again.code, 'SP_ADMIN_LOGIN_REPLAYED');
  });

  it('refuses a missing, unsigned or wrong server-id header', async () => {
    const signer = new SignatureV4({ credentials: creds[0]!, region: MOTO_REGION, service: 'sts', sha256: Sha256, applyChecksum: false });
    const url = new URL(moto.endpoint);
    const withoutId = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: GET_CALLER_IDENTITY_BODY,
    });
    const base = { method: 'POST', url: `${moto.endpoint}/`, body: Buffer.from(GET_CALLER_IDENTITY_BODY).toString('base64') };
    const headers = Object.fromEntries(Object.entries(withoutId.headers).map(([k, v]) => [k, String(v)]));

    const missing = await postLogin(svc.admin.url, { ...base, headers });
    assert.equal(missing.status, 401);
    assert.equal(missing.code, 'SP_ADMIN_LOGIN_SERVER_ID');
    assert.match(missing.json.error.message, /no x-sealpost-server-id/);

    const unsigned = await postLogin(svc.admin.url, { ...base, headers: { ...headers, 'x-sealpost-server-id': SERVER_ID } });
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.code, 'SP_ADMIN_LOGIN_SERVER_ID');
    assert.match(unsigned.json.error.message, /not in SignedHeaders/);

    const wrong = await postLogin(svc.admin.url, await sign(0, { serverId: 'ingest-test-2' }));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.code, 'SP_ADMIN_LOGIN_SERVER_ID');
    assert.match(wrong.json.error.message, /ingest-test-2/);
  });

  it('never contacts an STS host the client chose when it is not allowlisted', async () => {
    const trap = await startTrap();
    try {
      const signedForTrap = await sign(0, { stsEndpoint: trap.url });
      const r = await postLogin(svc.admin.url, signedForTrap);
      assert.equal(r.status, 400);
      assert.equal(r.code, 'SP_ADMIN_LOGIN_ENDPOINT');

      // Signed for the allowlisted host, but the URL points at the trap: the URL is never used.
      const signed = await sign(0);
      const redirected = await postLogin(svc.admin.url, { ...signed, url: `${trap.url}/` });
      assert.equal(redirected.status, 400);
      assert.equal(redirected.code, 'SP_ADMIN_LOGIN_MALFORMED');

      // A Host header swapped after signing is refused too (not allowlisted), and STS would refuse the signature anyway.
      const swapped = await postLogin(svc.admin.url, { ...(await sign(0)), url: `${trap.url}/`, headers: { ...signed.headers, host: trap.host } });
      assert.equal(swapped.code, 'SP_ADMIN_LOGIN_ENDPOINT');
      assert.equal(trap.hits(), 0, 'the trap was never contacted');
    } finally {
      await trap.close();
    }
  });

  it('refuses anything but a POST with the exact GetCallerIdentity body', async () => {
    const login = await sign(0);
    const other = await postLogin(svc.admin.url, { ...login, body: Buffer.from('Action=AssumeRole&Version=2011-06-15&RoleArn=x').toString('base64') });
    assert.equal(other.code, 'SP_ADMIN_LOGIN_MALFORMED');
    const get = await postLogin(svc.admin.url, { ...(await sign(0)), method: 'GET' });
    assert.equal(get.code, 'SP_ADMIN_LOGIN_MALFORMED');
  });

  it('gives a genuine identity without a mapped role 403, and audits the refusal', async () => {
    const r = await codeOf(signIn(client(), 3));
    assert.equal(r.status, 403);
    assert.equal(r.code, 'SP_ADMIN_NO_ROLE');
    assert.match(r.message, /444444444444/);
    assert.match(r.message, /admin\.aws\.roles/);
    const events = (await svc.local().queryAudit({ action: 'login', outcome: 'denied' })).events;
    assert.ok(events.some((e) => e.actor.arn === arnOf(NOBODY)));
  });

  it('answers 403 to a role without the permission, says which role has it, and audits the refusal', async () => {
    const operator = client();
    await signIn(operator, 0);
    const denied = await codeOf(operator.queryAudit({}));
    assert.equal(denied.status, 403);
    assert.equal(denied.code, 'SP_ADMIN_FORBIDDEN');
    assert.match(denied.message, /audit:read/);
    assert.match(denied.message, /reviewer or admin/);
    const discard = await codeOf(operator.discard(1, 'not mine to discard'));
    assert.equal(discard.code, 'SP_ADMIN_FORBIDDEN');

    const reviewer = client();
    await signIn(reviewer, 1);
    assert.equal((await codeOf(reviewer.drain({ timeoutMs: 0 }))).code, 'SP_ADMIN_FORBIDDEN');
    await reviewer.listDeadLetters();

    const refusals = (await reviewer.queryAudit({ outcome: 'denied', target: 'permission/*' })).events;
    const byOperator = refusals.filter((e) => e.actor.arn === arnOf(OPS)).map((e) => e.action).sort();
    assert.deepEqual(byOperator, ['discard', 'queryAudit']);
    assert.ok(refusals.some((e) => e.actor.arn === arnOf(REV) && e.action === 'drain'));
  });

  it('refuses a missing, garbage or expired session token with 401 and says to sign in again', async () => {
    const anon = await fetch(`${svc.admin.url}/admin/v1/status`);
    assert.equal(anon.status, 401);
    assert.equal(((await anon.json()) as any).error.code, 'SP_ADMIN_UNAUTHENTICATED');

    const garbage = createAdminClient({ url: svc.admin.url, token: 'eyJhbGciOiJIUzI1NiJ9.e30.x' });
    assert.equal((await codeOf(garbage.status())).code, 'SP_ADMIN_SESSION_INVALID');

    const key = new Uint8Array(readFileSync(join(svc.dataDir, 'keys', 'admin-session.key')));
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ acct: BOSS.account })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(arnOf(BOSS))
      .setIssuer(`sealpost:${SERVER_ID}`)
      .setAudience('sealpost-admin')
      .setIssuedAt(past - 900)
      .setExpirationTime(past)
      .sign(key);
    const r = await codeOf(createAdminClient({ url: svc.admin.url, token: expired }).status());
    assert.equal(r.code, 'SP_ADMIN_SESSION_INVALID');
    assert.match(r.message, /expired; sign in again/);
  });
});
