import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLoginRequest } from '../../../ingest-service/src/admin/sign-in/login-request.js';
import { createRoleMapper } from '../../../ingest-service/src/admin/sign-in/role-map.js';
import { createReplayGuard } from '../../../ingest-service/src/admin/sign-in/replay-guard.js';
import { createStsAllowlist } from '../../../ingest-service/src/admin/sign-in/sts-endpoints.js';
import { DEFAULT_STS_ENDPOINTS } from '../../../ingest-service/src/admin/admin-config.js';
import { signLoginRequest } from '../../../shared/aws-sign-in/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';

const credentials = { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 'secret' };
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const opts = { serverId: 'srv-1', maxSkewMs: 300_000, now: NOW, allowlist: createStsAllowlist(DEFAULT_STS_ENDPOINTS) };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isSealpostError(err)) return err.code;
    throw err;
  }
  return 'ACCEPTED';
}

describe('login request checks (hostile inputs, no network)', async () => {
  const good = await signLoginRequest({ credentials, serverId: 'srv-1', region: 'eu-west-1', signingDate: new Date(NOW) });
  const auth = good.headers.authorization!;
  const withSigned = (extra: string) => auth.replace(/SignedHeaders=([^,]+)/, (_m, l: string) => `SignedHeaders=${[...l.split(';'), extra].sort().join(';')}`);

  it('accepts a well-formed request and rebuilds it towards the allowlisted endpoint with only the signed headers', () => {
    const r = checkLoginRequest(good, opts);
    assert.equal(r.endpoint.origin, 'https://sts.eu-west-1.amazonaws.com');
    assert.deepEqual(Object.keys(r.headers).sort(), ['authorization', 'content-type', 'host', 'x-amz-date', 'x-sealpost-nonce', 'x-sealpost-server-id']);
    assert.equal(r.body.toString(), 'Action=GetCallerIdentity&Version=2011-06-15');
  });

  const table: [string, () => unknown, string][] = [
    ['GET instead of POST', () => ({ ...good, method: 'GET' }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['another STS action in the body', () => ({ ...good, body: Buffer.from('Action=GetSessionToken&Version=2011-06-15').toString('base64') }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['the body with a trailing parameter', () => ({ ...good, body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15&x=1').toString('base64') }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a body that is not base64', () => ({ ...good, body: 'Action=GetCallerIdentity&Version=2011-06-15' }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['no Authorization', () => ({ ...good, headers: { ...good.headers, authorization: '' } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a presigned-style or other-service Authorization', () => ({ ...good, headers: { ...good.headers, authorization: auth.replace('/sts/', '/iam/') } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a header given twice in two spellings', () => ({ ...good, headers: { ...good.headers, 'X-Amz-Date': good.headers['x-amz-date']! } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a signed header outside the allowed set (the service would have to send it)', () => ({ ...good, headers: { ...good.headers, 'x-forwarded-host': 'evil', authorization: withSigned('x-forwarded-host') } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a signed header that is absent', () => ({ ...good, headers: { ...good.headers, authorization: withSigned('x-amz-security-token') } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['Host not signed', () => ({ ...good, headers: { ...good.headers, authorization: auth.replace('host;', '') } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a wrong Content-Length', () => ({ ...good, headers: { ...good.headers, 'content-length': '5', authorization: withSigned('content-length') } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a credential scope date that differs from X-Amz-Date', () => ({ ...good, headers: { ...good.headers, authorization: auth.replace(/\/\d{8}\//, '/20250101/') } }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a path other than /', () => ({ ...good, url: 'https://sts.eu-west-1.amazonaws.com/x' }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a query string', () => ({ ...good, url: 'https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity' }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a URL on another host than the signed Host', () => ({ ...good, url: 'https://sts.us-east-1.amazonaws.com/' }), 'SP_ADMIN_LOGIN_MALFORMED'],
    ['a Host that only looks like STS', () => ({ ...good, url: 'https://sts.eu-west-1.amazonaws.com.evil.example/', headers: { ...good.headers, host: 'sts.eu-west-1.amazonaws.com.evil.example' } }), 'SP_ADMIN_LOGIN_ENDPOINT'],
    ['the server id for another server', () => ({ ...good, headers: { ...good.headers, 'x-sealpost-server-id': 'srv-2' } }), 'SP_ADMIN_LOGIN_SERVER_ID'],
    ['an X-Amz-Date six minutes old', () => ({ ...good }), 'SP_ADMIN_LOGIN_STALE'],
  ];
  for (const [name, make, code] of table) {
    it(`refuses ${name}`, () => {
      const now = name.startsWith('an X-Amz-Date six') ? NOW + 6 * 60_000 : NOW;
      assert.equal(refusal(() => checkLoginRequest(make() as typeof good, { ...opts, now })), code);
    });
  }
});

describe('STS endpoint allowlist', () => {
  const allow = createStsAllowlist(DEFAULT_STS_ENDPOINTS);
  it('admits the global and every regional AWS endpoint, always over https', () => {
    assert.equal(allow('sts.amazonaws.com')?.origin, 'https://sts.amazonaws.com');
    assert.equal(allow('STS.eu-central-1.amazonaws.com')?.origin, 'https://sts.eu-central-1.amazonaws.com');
    assert.equal(allow('sts.us-gov-west-1.amazonaws.com')?.origin, 'https://sts.us-gov-west-1.amazonaws.com');
    assert.equal(allow('sts.amazonaws.com:443')?.origin, 'https://sts.amazonaws.com');
  });
  for (const host of ['sts.amazonaws.com.evil.example', 'evil.example', 'sts.eu-west-1.amazonaws.com:8443', 'sts.eu-west-1.evil.amazonaws.com', 'xsts.amazonaws.com', 'sts.eu_west-1.amazonaws.com', '169.254.169.254']) {
    it(`refuses ${host}`, () => assert.equal(allow(host), undefined));
  }
  it('keeps an explicit endpoint exactly (scheme and port from the config)', () => {
    const local = createStsAllowlist(['http://127.0.0.1:4566']);
    assert.equal(local('127.0.0.1:4566')?.origin, 'http://127.0.0.1:4566');
    assert.equal(local('127.0.0.1:4567'), undefined);
    assert.equal(local('127.0.0.1'), undefined);
  });
});

describe('ARN patterns to roles', () => {
  const map = createRoleMapper([
    { arn: 'arn:aws:sts::111111111111:assumed-role/Ops/*', roles: ['operator'] },
    { arn: 'arn:aws:sts::111111111111:assumed-role/Ops/alice@example.com', roles: ['admin'] },
    { arn: 'arn:aws:sts::222222222222:assumed-role/Audit/*', roles: ['reviewer'] },
    { arn: 'arn:aws:iam::111111111111:user/bob', roles: ['reviewer', 'operator'] },
  ]);
  const table: [string, string[]][] = [
    ['arn:aws:sts::111111111111:assumed-role/Ops/carol', ['operator']],
    ['arn:aws:sts::111111111111:assumed-role/Ops/alice@example.com', ['operator', 'admin']],
    ['arn:aws:sts::222222222222:assumed-role/Audit/dave', ['reviewer']],
    ['arn:aws:iam::111111111111:user/bob', ['operator', 'reviewer']],
    ['arn:aws:sts::111111111111:assumed-role/Ops-Admin/carol', []],
    ['arn:aws:sts::222222222222:assumed-role/Ops/carol', []],
    ['arn:aws:sts::111111111111:assumed-role/Audit/x/y', []],
    ['arn:aws:iam::111111111111:user/bobby', []],
    ['arn:aws:sts::111111111111:assumed-role/Ops/', ['operator']],
    ['arn:aws:sts::333333333333:assumed-role/Audit/dave', []],
  ];
  for (const [arn, roles] of table) it(`${arn} -> ${roles.join(',') || 'none'}`, () => assert.deepEqual(map(arn), roles));
});

describe('replay guard', () => {
  it('claims a signature once until it expires', () => {
    let now = 1000;
    const g = createReplayGuard({ now: () => now });
    assert.equal(g.claim('sig', 2000), 'claimed');
    assert.equal(g.claim('sig', 2000), 'replayed');
    now = 2001;
    assert.equal(g.claim('sig', 3000), 'claimed', 'after the freshness window the date check refuses it anyway');
  });
});
