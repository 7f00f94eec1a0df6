import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { actorFacts, actorLabel, openAuditIndex, type AuditIndex } from '../../../ingest-service/src/audit/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { tempDataDir } from '../../support/ingest.js';

const SSO = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Operators_0123abcd/alice.martin@example.com';
const USER = 'arn:aws:iam::123456789012:user/ops/bob.stone';

describe('audit index: clear facts for queries, no personal value in clear', () => {
  let dir: string;
  let index: AuditIndex;
  beforeEach(() => {
    dir = tempDataDir('sealpost-audit-');
    index = openAuditIndex({ dataDir: dir });
  });
  afterEach(() => {
    index.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const add = (id: string, actor: string, time: number, extra: Partial<Parameters<AuditIndex['insert']>[0]> = {}) =>
    index.insert({ id, time, type: 'sealpost.admin.drain', action: 'drain', actor, target: 'backlog/all', outcome: 'success', details: { pendingBefore: 3 }, ...extra });

  it('keeps the session name and user name out of the database files, yet answers who did it', () => {
    add('e1', SSO, 1000);
    add('e2', USER, 2000, { action: 'discard', type: 'sealpost.admin.discard', target: 'dead-letter/7' });
    index.close();
    for (const f of readdirSync(dir).filter((n) => n.startsWith('admin-audit.db'))) {
      const bytes = readFileSync(join(dir, f));
      for (const secret of ['alice.martin', 'example.com', 'bob.stone']) assert.equal(bytes.indexOf(secret), -1, `${f} holds no "${secret}"`);
    }
    assert.equal(statSync(join(dir, 'keys', 'admin-audit-index.key')).mode & 0o777, 0o600);
    index = openAuditIndex({ dataDir: dir });
    const all = index.query({ limit: 10 }).events;
    assert.deepEqual(all.map((e) => e.actor), [USER, SSO], 'audit readers see the full ARN');
    assert.deepEqual(all[1]!.actorFacts, { account: '123456789012', kind: 'assumed-role', role: 'AWSReservedSSO_Operators_0123abcd', ref: index.actorRef(SSO) });
    assert.deepEqual(all[0]!.actorFacts.role, null, 'an IAM user name is personal: not kept as a role');
  });

  it('finds by exact actor, role, account, action, target prefix, outcome, time range and keyword', () => {
    add('a', SSO, 1000);
    add('b', USER, 2000, { outcome: 'failure', details: { code: 'SP_KAFKA_SEND_FAILED' } });
    add('c', SSO, 3000, { action: 'pause', type: 'sealpost.admin.pause', target: 'source/sendgrid', details: {} });
    const ids = (q: Partial<Parameters<AuditIndex['query']>[0]>) => index.query({ limit: 10, ...q }).events.map((e) => e.id);
    assert.deepEqual(ids({ actor: SSO }), ['c', 'a']);
    assert.deepEqual(ids({ actor: SSO.toUpperCase() }), [], 'exact match only');
    assert.deepEqual(ids({ actorRole: 'AWSReservedSSO_Operators_0123abcd' }), ['c', 'a']);
    assert.deepEqual(ids({ actorAccount: '123456789012' }), ['c', 'b', 'a']);
    assert.deepEqual(ids({ action: 'pause' }), ['c']);
    assert.deepEqual(ids({ target: 'source/*' }), ['c']);
    assert.deepEqual(ids({ target: 'backlog/all' }), ['b', 'a']);
    assert.deepEqual(ids({ outcome: 'failure' }), ['b']);
    assert.deepEqual(ids({ from: 2000, to: 3000 }), ['b']);
    assert.deepEqual(ids({ keyword: 'kafka_send' }), ['b']);
    assert.deepEqual(ids({ keyword: '%' }), [], 'LIKE wildcards are literal');
    assert.deepEqual(ids({ keyword: 'alice' }), [], 'the session name is not searchable in clear');
  });

  it('refuses a cursor it did not hand out', () => {
    try {
      index.query({ limit: 5, cursor: 'bm90LWEtY3Vyc29y' });
      assert.fail('accepted a foreign cursor');
    } catch (err) {
      assert.ok(isSealpostError(err, 'SP_AUDIT_BAD_CURSOR'));
    }
  });

  it('says so when the index key changed instead of showing garbage', () => {
    add('x', SSO, 1000);
    index.close();
    writeFileSync(join(dir, 'keys', 'admin-audit-index.key'), Buffer.alloc(32, 7), { mode: 0o600 });
    index = openAuditIndex({ dataDir: dir });
    assert.match(index.query({ limit: 1 }).events[0]!.actor, /unreadable/);
    assert.deepEqual(index.query({ limit: 1, actor: SSO }).events, [], 'refs change with the key');
  });
});

describe('actor facts and labels', () => {
  const table: [string, ReturnType<typeof actorFacts>][] = [
    [SSO, { account: '123456789012', kind: 'assumed-role', role: 'AWSReservedSSO_Operators_0123abcd' }],
    [USER, { account: '123456789012', kind: 'user', role: null }],
    ['arn:aws:iam::123456789012:root', { account: '123456789012', kind: 'root', role: null }],
    ['arn:aws:sts::123456789012:federated-user/carol', { account: '123456789012', kind: 'federated-user', role: null }],
    ['local-admin', { account: null, kind: 'local', role: null }],
    ['not an arn', { account: null, kind: 'unknown', role: null }],
  ];
  for (const [arn, facts] of table) it(arn, () => assert.deepEqual(actorFacts(arn), facts));
  it('labels name the account and role, never the person', () => {
    const label = actorLabel(SSO, 'abcdefghijklmnopqrstuv');
    assert.equal(label, 'aws:123456789012:assumed-role/AWSReservedSSO_Operators_0123abcd#abcdefghijkl');
    assert.ok(!actorLabel(USER, 'r').includes('bob'));
  });
});
