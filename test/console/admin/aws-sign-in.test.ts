// Console sign-in to the ingest service with the operator's AWS profile, against moto's STS verifying SigV4 and the
// real service: the profile's credentials sign sts:GetCallerIdentity in the console's Node side, the service
// rebuilds and sends it, maps the ARN to roles. The renderer's channels only ever see the session's facts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MOTO_REGION, type MotoCredentials, type MotoServer } from '../../support/moto.js';
import { startAdminService, startVerifyingMoto, type AdminInput, type AdminTestService } from '../../ingest-service/admin/support.js';
import { consoleOn } from './support.js';

const SERVER_ID = 'ingest-console-1';
const OPS = { account: '111111111111', role: 'ops' };
const REV = { account: '222222222222', role: 'rev' };
const NOBODY = { account: '444444444444', role: 'nobody' };
const arnOf = (a: { account: string; role: string }) => `arn:aws:sts::${a.account}:assumed-role/${a.role}/test`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

describe('console sign-in with an AWS profile (moto STS verifying SigV4, real service)', () => {
  let moto: MotoServer;
  let creds: MotoCredentials[];
  let svc: AdminTestService | undefined;
  let awsDir: string;
  let dataDir: string;
  let admin: AdminInput;
  const consoles: ReturnType<typeof consoleOn>[] = [];
  const open = () => {
    const c = consoleOn({ aws: { configFile: join(awsDir, 'config'), credentialsFile: join(awsDir, 'credentials') } });
    consoles.push(c);
    return c;
  };
  const signIn = (c: ReturnType<typeof consoleOn>, profile: string, serverId = SERVER_ID) =>
    c.call('service:connect', { url: svc!.admin.url, serverId, auth: { kind: 'aws', profile, region: MOTO_REGION, stsEndpoint: moto.endpoint }, remember: false });
  const refused = (c: ReturnType<typeof consoleOn>, profile: string, serverId = SERVER_ID) =>
    c.refusal('service:connect', { url: svc!.admin.url, serverId, auth: { kind: 'aws', profile, region: MOTO_REGION, stsEndpoint: moto.endpoint }, remember: false });

  before(async () => {
    ({ moto, creds } = await startVerifyingMoto([OPS, REV, NOBODY]));
    awsDir = mkdtempSync(join(tmpdir(), 'sp-console-aws-'));
    dataDir = mkdtempSync(join(tmpdir(), 'sp-console-svc-'));
    const profile = (name: string, c: MotoCredentials, secret = c.secretAccessKey) =>
      `[${name}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${secret}\naws_session_token = ${c.sessionToken}\n`;
    writeFileSync(join(awsDir, 'config'), ['ops', 'rev', 'nobody', 'forged'].map((p) => `[profile ${p}]\nregion = ${MOTO_REGION}\n`).join(''));
    writeFileSync(
      join(awsDir, 'credentials'),
      [profile('ops', creds[0]!), profile('rev', creds[1]!), profile('nobody', creds[2]!), profile('forged', creds[0]!, `${creds[0]!.secretAccessKey}x`)].join(''),
    );
    admin = {
      serverId: SERVER_ID,
      localToken: false,
      listen: { port: await freePort() },
      aws: {
        stsEndpoints: [moto.endpoint],
        roles: [
          { arn: `arn:aws:sts::${OPS.account}:assumed-role/ops/*`, roles: ['operator'] },
          { arn: `arn:aws:sts::${REV.account}:assumed-role/rev/*`, roles: ['reviewer'] },
        ],
      },
    };
    svc = await startAdminService({ admin, overrides: { dataDir } });
  });
  after(async () => {
    for (const c of consoles) await c.close();
    await svc?.stop({ keepData: true });
    await moto?.stop();
    rmSync(awsDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an operator signs in with the profile: who am I, roles and permissions; the status opens', async () => {
    const c = open();
    const st = await signIn(c, 'ops');
    const s = st.connected[0]!.session;
    assert.equal(s.via, 'aws');
    assert.equal(s.identity.arn, arnOf(OPS));
    assert.deepEqual(s.identity.roles, ['operator']);
    assert.ok(s.permissions.includes('backlog:drain') && !s.permissions.includes('audit:read'));
    assert.ok(Date.parse(s.expiresAt!) > Date.now());
    assert.equal(st.connected[0]!.profile, 'ops');
    assert.equal((await c.call('service:status', { service: svc!.admin.url })).serverId, SERVER_ID);
    const json = JSON.stringify(st);
    assert.ok(!json.includes(creds[0]!.secretAccessKey) && !json.includes(creds[0]!.sessionToken!), 'no credential reaches the renderer');
  });

  it('a role without the permission is refused by the service, and a reviewer sees that refusal in the audit view', async () => {
    const ops = open();
    await signIn(ops, 'ops');
    const denied = await ops.refusal('audit:query', { service: svc!.admin.url });
    assert.equal(denied.code, 'SP_ADMIN_FORBIDDEN');
    assert.match(denied.message, /audit:read/);
    assert.equal((await ops.refusal('dead-letter:discard', { service: svc!.admin.url, id: 1, reason: 'not mine to throw away' })).code, 'SP_ADMIN_FORBIDDEN');

    const rev = open();
    await signIn(rev, 'rev');
    assert.equal((await rev.refusal('backlog:drain', { service: svc!.admin.url })).code, 'SP_ADMIN_FORBIDDEN');
    const trail = (await rev.call('audit:query', { service: svc!.admin.url, actor: arnOf(OPS) })).events;
    assert.ok(trail.some((e) => e.action === 'login' && e.outcome === 'success'));
    assert.ok(trail.some((e) => e.outcome === 'denied' && e.target === 'permission/audit:read'));
    assert.ok(trail.some((e) => e.outcome === 'denied' && e.target === 'permission/dead-letters:discard'));
  });

  it('refuses a forged signature, a mapped-nowhere identity, another server id and a missing profile, saying why', async () => {
    const c = open();
    assert.equal((await refused(c, 'forged')).code, 'SP_ADMIN_LOGIN_REJECTED');
    const nobody = await refused(c, 'nobody');
    assert.equal(nobody.code, 'SP_ADMIN_NO_ROLE');
    assert.equal((await refused(c, 'ops', 'another-server')).code, 'SP_ADMIN_LOGIN_SERVER_ID');
    const missing = await refused(c, 'nosuchprofile');
    assert.equal(missing.code, 'SP_SIGN_IN_CREDENTIALS');
    assert.match(missing.message, /nosuchprofile/);
    assert.deepEqual((await c.call('service:state')).connected, [], 'no refused sign-in leaves a connection');
  });

  it('a session the service no longer accepts is signed again with the same profile, without asking', async () => {
    const c = open();
    await signIn(c, 'ops');
    const before = Date.now();
    // Ending every session: stop the service, delete its session key, start it again on the same port and data.
    await svc!.stop({ keepData: true });
    svc = undefined;
    unlinkSync(join(dataDir, 'keys', 'admin-session.key'));
    svc = await startAdminService({ admin, overrides: { dataDir } });
    const status = await c.call('service:status', { service: svc.admin.url });
    assert.equal(status.serverId, SERVER_ID);
    const rev = open();
    await signIn(rev, 'rev');
    const logins = (await rev.call('audit:query', { service: svc.admin.url, action: 'login', actor: arnOf(OPS), from: before })).events;
    assert.equal(logins.length, 1, 'one new sign-in, done by the console on its own');
  });
});
