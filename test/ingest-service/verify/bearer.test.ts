import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { createVerifier } from '../../../ingest-service/src/verify/index.js';
import { recordingLog, rejectsWith, source } from './support.js';

const NOW_S = 1_700_000_000;
const deps = { now: () => NOW_S * 1000, log: recordingLog() };
const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'sealpost-ingest';
const body = Buffer.from('[{"event":"processed"}]');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

function token(key: KeyObject, claims: { iss?: string; aud?: string; exp?: number | null; nbf?: number; sub?: string }, kid = 'k1', alg = 'RS256'): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg, kid }).setIssuedAt(NOW_S - 10).setSubject(claims.sub ?? 'sendgrid-webhook');
  jwt.setIssuer(claims.iss ?? ISSUER).setAudience(claims.aud ?? AUDIENCE);
  if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? NOW_S + 600);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
  return jwt.sign(key);
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('OAuth 2.0 bearer tokens against a JWKS served on loopback', () => {
  let server: Server;
  let jwksUrl: string;
  let jwksRequests = 0;

  before(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const sendgridOauth = () => source({ id: 'sg-oauth', kind: 'sendgrid', verify: { oauth: { issuer: ISSUER, audience: AUDIENCE, jwksUrl } } });

  test('a good token passes, and the key set is fetched once for many requests', async () => {
    const verifier = createVerifier(sendgridOauth(), deps);
    const before = jwksRequests;
    for (let i = 0; i < 5; i++) {
      const v = await verifier.verify({ headers: bearer(await token(rsa.privateKey, { sub: `client-${i}` })), body });
      assert.deepEqual(v, { principal: `bearer:client-${i}`, method: 'bearer' });
    }
    assert.equal(jwksRequests - before, 1);
  });

  test('expired, wrong audience, wrong issuer, not yet valid, no exp', async () => {
    const verifier = createVerifier(sendgridOauth(), deps);
    const h = async (claims: Parameters<typeof token>[1]) => bearer(await token(rsa.privateKey, claims));
    await rejectsWith(verifier.verify({ headers: await h({ exp: NOW_S - 31 }), body }), 401, 'expired_token');
    // Within the 30 s clock tolerance an expired token still passes.
    assert.equal((await verifier.verify({ headers: await h({ exp: NOW_S - 29 }), body })).method, 'bearer');
    await rejectsWith(verifier.verify({ headers: await h({ aud: 'someone-else' }), body }), 401, 'wrong_audience');
    await rejectsWith(verifier.verify({ headers: await h({ iss: 'https://evil.example.test/' }), body }), 401, 'wrong_issuer');
    await rejectsWith(verifier.verify({ headers: await h({ nbf: NOW_S + 3600 }), body }), 401, 'token_not_yet_valid');
    await rejectsWith(verifier.verify({ headers: await h({ exp: null }), body }), 401, 'bad_token');
  });

  test('a token signed by another key is refused, whether its kid is known or not', async () => {
    const verifier = createVerifier(sendgridOauth(), deps);
    await rejectsWith(verifier.verify({ headers: bearer(await token(stranger.privateKey, {}, 'k1')), body }), 401, 'bad_token');
    await rejectsWith(verifier.verify({ headers: bearer(await token(stranger.privateKey, {}, 'k2')), body }), 401, 'bad_token');
  });

  test('tampered, unsigned and malformed tokens are refused', async () => {
    const verifier = createVerifier(sendgridOauth(), deps);
    const good = await token(rsa.privateKey, {});
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${p}.`;
    for (const t of [`${h}.${forgedPayload}.${s}`, none, 'not-a-jwt', `${h}.${p}`]) {
      await rejectsWith(verifier.verify({ headers: bearer(t), body }), 401, 'bad_token');
    }
    await rejectsWith(verifier.verify({ headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, body }), 401, 'bad_token');
    await rejectsWith(verifier.verify({ headers: {}, body }), 401, 'missing_token');
  });

  test('an unreachable JWKS endpoint is a retriable 503, not a 401', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const verifier = createVerifier(
      source({ id: 'sg-oauth', kind: 'sendgrid', verify: { oauth: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: `http://127.0.0.1:${port}/jwks` } } }),
      deps,
    );
    const err = await rejectsWith(verifier.verify({ headers: bearer(await token(rsa.privateKey, {})), body }), 503, 'jwks_unavailable');
    assert.equal((err as { retriable?: boolean }).retriable, true);
  });
});

describe('bearer tokens against a configured PEM key (audit events)', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-bearer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('PEM inline or as a file path; ES256 accepted, another key refused', async () => {
    const file = join(dir, 'issuer.pem');
    writeFileSync(file, pem);
    for (const publicKey of [pem, file]) {
      const verifier = createVerifier(source({ id: 'audit', kind: 'events', verify: { bearer: { issuer: ISSUER, audience: AUDIENCE, publicKey } } }), deps);
      const good = await token(ec.privateKey, { sub: 'billing-service' }, 'x', 'ES256');
      assert.deepEqual(await verifier.verify({ headers: bearer(good), body }), { principal: 'bearer:billing-service', method: 'bearer' });
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      await rejectsWith(verifier.verify({ headers: bearer(await token(other, {}, 'x', 'ES256')), body }), 401, 'bad_token');
      // An algorithm outside the configured list is refused even if the key matches.
      const restricted = createVerifier(
        source({ id: 'audit', kind: 'events', verify: { bearer: { issuer: ISSUER, audience: AUDIENCE, publicKey, algorithms: ['RS256'] } } }),
        deps,
      );
      await rejectsWith(restricted.verify({ headers: bearer(good), body }), 401, 'bad_token');
    }
  });
});

test('a JWKS URL over plain http is refused at start unless it is loopback', async () => {
  const { isSealpostError } = await import('../../../shared/errors/index.js');
  const cfg = (jwksUrl: string) => source({ id: 'sg-oauth', kind: 'sendgrid', verify: { oauth: { issuer: ISSUER, audience: AUDIENCE, jwksUrl } } });
  assert.throws(() => createVerifier(cfg('http://auth.example.test/jwks.json'), deps), (err) => isSealpostError(err, 'SP_VERIFY_CONFIG') && /https/.test(err.message));
  assert.doesNotThrow(() => createVerifier(cfg('https://auth.example.test/jwks.json'), deps));
  assert.doesNotThrow(() => createVerifier(cfg('http://127.0.0.1:9/jwks.json'), deps));
});
