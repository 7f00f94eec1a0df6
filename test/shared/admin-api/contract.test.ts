import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PERMISSIONS, ADMIN_ROUTES, adminSchemas, auditTarget, clearDetails, permissionsOf, ROLE_PERMISSIONS, routePath } from '../../../shared/admin-api/index.js';
import { createAdminClient, signLoginRequest } from '../../../shared/aws-sign-in/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';

describe('admin API contract', () => {
  it('gives each role exactly the permissions of the issue: operator moves, reviewer reads, admin discards', () => {
    assert.deepEqual(permissionsOf(['reviewer']), ['status:read', 'dead-letters:read', 'audit:read', 'audit:record', 'suppressions:read']);
    const op = permissionsOf(['operator']);
    for (const p of ['status:read', 'backlog:read', 'backlog:drain', 'sources:pause', 'dead-letters:redrive', 'replay:run', 'suppressions:read']) assert.ok(op.includes(p as never), p);
    assert.ok(!op.includes('dead-letters:discard') && !op.includes('audit:read') && !op.includes('suppressions:remove'));
    assert.deepEqual(permissionsOf(['admin']), [...ADMIN_PERMISSIONS]);
    assert.deepEqual(permissionsOf(['operator', 'reviewer']).length, new Set([...ROLE_PERMISSIONS.operator, ...ROLE_PERMISSIONS.reviewer]).size);
    assert.deepEqual(permissionsOf([]), []);
  });

  it('has one route per method and path, each naming a permission (login alone needs no session)', () => {
    const keys = Object.values(ADMIN_ROUTES).map((r) => `${r.method} ${r.path}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const [op, r] of Object.entries(ADMIN_ROUTES)) {
      if (op === 'login') assert.equal(r.permission, null);
      else assert.ok(r.permission === 'any' || ADMIN_PERMISSIONS.includes(r.permission as never), op);
      assert.ok(r.path.startsWith('/admin/v1/'));
    }
    assert.equal(routePath('/admin/v1/sources/:source/pause', { source: 'a/b' }), '/admin/v1/sources/a%2Fb/pause');
  });

  const targets: [string, boolean][] = [
    ['source/sendgrid', true], ['dead-letter/12', true], ['topic/sealpost.sendgrid/3', true], ['replay/0b8f-x', true],
    ['bob@example.com', false], ['topic/x bob', false], ['', false], ['a'.repeat(301), false], ['name\u0000', false],
  ];
  for (const [t, ok] of targets) it(`audit target ${JSON.stringify(t.slice(0, 30))} is ${ok ? 'accepted' : 'refused'}`, () => assert.equal(auditTarget.safeParse(t).success, ok));

  it('clear details take identifiers and numbers, not addresses, objects or long lists', () => {
    assert.ok(clearDetails.safeParse({ department: 'support', records: 3, offsets: ['1', '2'], ok: true, none: null }).success);
    assert.ok(!clearDetails.safeParse({ who: 'alice@example.com' }).success);
    assert.ok(!clearDetails.safeParse({ nested: { a: 1 } }).success);
    assert.ok(!clearDetails.safeParse({ list: Array.from({ length: 101 }, () => 1) }).success);
    assert.ok(!clearDetails.safeParse({ 'bad key': 1 }).success);
    assert.ok(!clearDetails.safeParse(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]))).success);
  });

  it('requires a non-empty discard reason and a replay target other than its source', () => {
    assert.ok(!adminSchemas.discardRequest.safeParse({ reason: ' \n ' }).success);
    assert.ok(!adminSchemas.discardRequest.safeParse({}).success);
    assert.ok(!adminSchemas.replayRequest.safeParse({ sourceTopic: 'a', targetTopic: 'a', ranges: [{ partition: 0, from: { offset: '0' }, to: { offset: '1' } }] }).success);
    assert.ok(adminSchemas.replayRequest.safeParse({ sourceTopic: 'a', targetTopic: 'b', ranges: [{ partition: 'all', from: { time: '2026-01-01T00:00:00Z' }, to: { time: 1767225600000 } }] }).success);
    assert.ok(!adminSchemas.replayRequest.safeParse({ sourceTopic: 'a', targetTopic: 'b', ranges: [{ partition: 0, from: { offset: '-1' }, to: { offset: '1' } }] }).success);
  });
});

describe('console-side signer', () => {
  const credentials = { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 'secret', sessionToken: 'token' };
  it('signs the server id and a nonce, so every sign-in is a different signature', async () => {
    const date = new Date('2026-01-15T12:00:00Z');
    const a = await signLoginRequest({ credentials, serverId: 'srv', signingDate: date });
    const b = await signLoginRequest({ credentials, serverId: 'srv', signingDate: date });
    assert.equal(a.url, 'https://sts.amazonaws.com/');
    assert.match(a.headers.authorization!, /Credential=AKIAEXAMPLEEXAMPLE12\/20260115\/us-east-1\/sts\/aws4_request/);
    const signed = /SignedHeaders=([^,]+)/.exec(a.headers.authorization!)![1]!.split(';');
    for (const h of ['host', 'x-amz-date', 'x-amz-security-token', 'x-sealpost-server-id', 'x-sealpost-nonce']) assert.ok(signed.includes(h), h);
    assert.notEqual(a.headers.authorization, b.headers.authorization);
    assert.equal(Buffer.from(a.body, 'base64').toString(), 'Action=GetCallerIdentity&Version=2011-06-15');
    const regional = await signLoginRequest({ credentials, serverId: 'srv', region: 'eu-west-1' });
    assert.equal(regional.url, 'https://sts.eu-west-1.amazonaws.com/');
  });
});

describe('admin client against a server that is not the admin API', () => {
  let server: Server;
  let url: string;
  const seen: IncomingMessage[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      if (req.url === '/admin/v1/status') {
        res.writeHead(302, { location: 'http://127.0.0.1:9/steal' });
        return res.end();
      }
      if (req.url === '/admin/v1/session') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"hello":"world"}');
      }
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'SP_ADMIN_SESSION_INVALID', message: 'sign in again', retriable: false } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if (isSealpostError(err)) return err.code;
      throw err;
    }
    return 'ACCEPTED';
  };

  it('needs a session before calling, without touching the network', async () => {
    const before = seen.length;
    assert.equal(await code(createAdminClient({ url }).status()), 'SP_ADMIN_CLIENT_NOT_SIGNED_IN');
    assert.equal(seen.length, before);
  });
  it('does not follow a redirect (the token stays with the admin host)', async () => {
    assert.equal(await code(createAdminClient({ url, token: 't' }).status()), 'SP_ADMIN_CLIENT_BAD_ANSWER');
  });
  it('refuses an answer that is not the contract', async () => {
    assert.equal(await code(createAdminClient({ url, token: 't' }).session()), 'SP_ADMIN_CLIENT_BAD_ANSWER');
  });
  it('passes the server error code and status through', async () => {
    try {
      await createAdminClient({ url, token: 't' }).history();
      assert.fail('accepted');
    } catch (err) {
      assert.ok(isSealpostError(err, 'SP_ADMIN_SESSION_INVALID'));
      assert.equal(err.status, 401);
      assert.equal(err.message, 'sign in again');
    }
    assert.equal(seen.at(-1)!.headers.authorization, 'Bearer t');
  });
  it('needs the server id to sign in', async () => {
    assert.equal(await code(createAdminClient({ url }).signIn({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })), 'SP_SIGN_IN_CREDENTIALS');
  });
});

describe('forget request: an e-mail address and a stated reason', () => {
  const ok = (address: unknown, reason: unknown = 'DSR-1') => adminSchemas.forgetRequest.safeParse({ address, reason }).success;
  it('takes any spelling of an address', () => {
    for (const a of ['chris@gmail.com', 'Chris <Chris@Gmail.com>', '  a@b  ', 'o\'brien+tag@example.co.uk']) assert.ok(ok(a), a);
  });
  it('refuses what is not one, without echoing it', () => {
    for (const a of ['Chris Smith', '', '   ', 'a@', '@b', 'a b@c.com', 'a@b@c', `${'x'.repeat(400)}@y.com`, 42, null, '<>']) {
      const r = adminSchemas.forgetRequest.safeParse({ address: a, reason: 'DSR-1' });
      assert.equal(r.success, false, String(a));
      if (typeof a === 'string' && a.trim().length > 2) assert.ok(!JSON.stringify(r.error!.issues).includes(a.trim()), `the issue does not echo ${a}`);
    }
  });
  it('needs a non-blank reason', () => {
    assert.equal(adminSchemas.forgetRequest.safeParse({ address: 'a@b.com' }).success, false, 'missing');
    for (const r of ['', '   ', 'x'.repeat(1001), 7]) assert.equal(ok('a@b.com', r), false, String(r));
  });
});
