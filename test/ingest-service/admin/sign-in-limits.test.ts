import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signLoginRequest } from '../../../shared/aws-sign-in/index.js';
import { createReplayGuard } from '../../../ingest-service/src/admin/sign-in/replay-guard.js';
import { clientKey, createKeyedRateLimiter } from '../../../ingest-service/src/limits/keyed-rate-limiter.js';
import { MOTO_REGION, type MotoCredentials, type MotoServer } from '../../support/moto.js';
import { postLogin, startAdminService, startVerifyingMoto, type AdminTestService } from './support.js';

const SERVER_ID = 'ingest-limits-1';
const OPS = { account: '111111111111', role: 'ops' };

/** POSTs a login from a chosen loopback source address (127.0.0.2 is another client to the server). */
function postLoginFrom(adminUrl: string, localAddress: string, body: unknown): Promise<{ status: number; code: string | undefined; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${adminUrl}/admin/v1/login`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const json = JSON.parse(Buffer.concat(chunks).toString()) as { error?: { code?: string } };
        resolve({ status: res.statusCode ?? 0, code: json.error?.code, retryAfter: res.headers['retry-after'] as string | undefined });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('sign-in limits against a real service and moto STS', () => {
  let moto: MotoServer;
  let creds: MotoCredentials[];
  let svc: AdminTestService;
  const sign = () => signLoginRequest({ credentials: creds[0]!, serverId: SERVER_ID, region: MOTO_REGION, stsEndpoint: moto.endpoint });

  before(async () => {
    ({ moto, creds } = await startVerifyingMoto([OPS]));
    svc = await startAdminService({
      admin: { serverId: SERVER_ID, aws: { stsEndpoints: [moto.endpoint], loginsPerMinute: 3, roles: [{ arn: `arn:aws:sts::${OPS.account}:assumed-role/ops/*`, roles: ['operator'] }] } },
    });
  });
  after(async () => {
    await svc?.stop();
    await moto?.stop();
  });

  it('a signature STS refused holds no replay slot: presented again it goes to STS again (not "replayed")', async () => {
    const login = await sign();
    const auth = login.headers.authorization!;
    const forged = { ...login, headers: { ...login.headers, authorization: auth.slice(0, -1) + (auth.endsWith('0') ? '1' : '0') } };
    assert.equal((await postLogin(svc.admin.url, forged)).code, 'SP_ADMIN_LOGIN_REJECTED');
    assert.equal((await postLogin(svc.admin.url, forged)).code, 'SP_ADMIN_LOGIN_REJECTED');
  });

  it('rate-limits sign-in attempts per client address: 429 with Retry-After, other addresses unaffected', async () => {
    const garbage = { method: 'POST', url: 'https://sts.amazonaws.com/', headers: {}, body: '' };
    const client = '127.0.0.3'; // used by no other test: its whole burst is spent here
    for (let i = 0; i < 3; i++) assert.equal((await postLoginFrom(svc.admin.url, client, garbage)).code, 'SP_ADMIN_LOGIN_MALFORMED', `attempt ${i + 1} of the burst`);
    const limited = await postLoginFrom(svc.admin.url, client, garbage);
    assert.equal(limited.status, 429);
    assert.equal(limited.code, 'SP_ADMIN_LOGIN_RATE_LIMITED');
    assert.ok(Number(limited.retryAfter) >= 1 && Number(limited.retryAfter) <= 20, `retry-after ${limited.retryAfter}`);
    const genuine = await postLoginFrom(svc.admin.url, client, await sign());
    assert.equal(genuine.code, 'SP_ADMIN_LOGIN_RATE_LIMITED', 'not even a genuine signature reaches STS once limited');
    const other = await postLoginFrom(svc.admin.url, '127.0.0.4', await sign());
    assert.equal(other.status, 200, 'another client address still signs in');
  });
});

describe('replay guard bound', () => {
  it('refuses when full of fresh signatures, makes room once they expire, and releases on request', () => {
    let now = 0;
    const g = createReplayGuard({ now: () => now, maxEntries: 2 });
    assert.equal(g.claim('a', 100), 'claimed');
    assert.equal(g.claim('b', 200), 'claimed');
    assert.equal(g.claim('c', 300), 'full');
    assert.equal(g.claim('a', 100), 'replayed', 'a full guard still knows its replays');
    g.release('b');
    assert.equal(g.claim('c', 300), 'claimed');
    now = 150;
    assert.equal(g.claim('d', 400), 'claimed', 'the expired "a" was swept');
    assert.equal(g.size(), 2);
  });
});

describe('keyed rate limiter', () => {
  it('allows a burst, then one per refill interval, and forgets the least recent keys beyond maxKeys', () => {
    let now = 0;
    const l = createKeyedRateLimiter({ perMinute: 6, maxKeys: 100, now: () => now });
    for (let i = 0; i < 6; i++) assert.equal(l.take('x'), true);
    assert.equal(l.take('x'), false);
    assert.equal(l.retryAfterSeconds('x'), 10);
    now += 10_000;
    assert.equal(l.take('x'), true);
    assert.equal(l.take('x'), false);
    for (let i = 0; i < 1000; i++) l.take(`k${i}`);
    assert.equal(l.size(), 100);
  });
  it('whenFull "refuse": new addresses are refused while the map is full, so rotating addresses neither resets a bucket nor passes more', () => {
    let now = 0;
    const l = createKeyedRateLimiter({ perMinute: 6, maxKeys: 10, whenFull: 'refuse', now: () => now });
    for (let i = 0; i < 6; i++) assert.equal(l.take('x'), true);
    assert.equal(l.take('x'), false, 'x spent its burst');
    let allowed = 0;
    for (let i = 0; i < 1000; i++) for (let j = 0; j < 6; j++) if (l.take(`k${i}`)) allowed += 1;
    assert.equal(allowed, 9 * 6, 'only the keys that fit in the map get their bursts: the total is bounded');
    assert.equal(l.size(), 10);
    assert.equal(l.take('x'), false, 'x was not forgotten: its bucket is still empty');
    assert.equal(l.take('new'), false, 'a new key is refused while every bucket is busy');
    assert.ok(l.retryAfterSeconds('new') >= 1);
    now += 60_000; // every bucket refilled: those keys are as good as new and make room
    assert.equal(l.take('new'), true);
    assert.equal(l.take('x'), true);
  });
  const keys: [string | undefined, string][] = [
    ['192.0.2.7', '192.0.2.7'], ['::ffff:192.0.2.7', '192.0.2.7'], ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'], ['2001:db8::1', '2001:db8:0:0::/64'], ['::1', '0:0:0:0::/64'], [undefined, 'unknown'],
  ];
  for (const [address, key] of keys) it(`${address} is limited as ${key}`, () => assert.equal(clientKey(address), key));
});
