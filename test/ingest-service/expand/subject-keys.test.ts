// The write side of crypto-shredding, through the real expand worker threads (parse, seal, subject keys):
// key reuse, key records that travel until produced, forget notices and the policy's `forgotten` rule.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { Envelope } from '../../../shared/envelope/index.js';
import { DEFAULT_POLICY } from '../../../shared/policy/index.js';
import { FORGOTTEN_SCHEMA, parseKeysTopicRecord, SUBJECT_KEY_SCHEMA, type KeysTopicRecord, type SubjectKeyRecord } from '../../../shared/subject-keys/index.js';
import type { ConfigInput } from '../../../ingest-service/src/config/index.js';
import { sourceTable } from '../../../ingest-service/src/config/source-table.js';
import type { ExpandResult } from '../../../ingest-service/src/expand/index.js';
import { startWorkerExpander, type WorkerExpander } from '../../../ingest-service/src/expand/index.js';
import { createForgottenSubjects } from '../../../ingest-service/src/expand/subject-keys/forgotten-subjects.js';
import { openKeysStore } from '../../../ingest-service/src/subject-keys/keys-store.js';
import { tempDataDir, testConfig } from '../../support/ingest.js';
import { departmentKeyring, openEnvelopeSection } from '../../support/local-decrypt.js';
import { blindIndexOf } from '../subject-keys/support.js';

const T0 = Date.UTC(2026, 0, 10, 12);
let seq = 0;

async function expander(overrides: Partial<ConfigInput> = {}): Promise<{ x: WorkerExpander; dataDir: string }> {
  const dataDir = tempDataDir();
  const { config } = testConfig({ dataDir, overrides });
  const x = await startWorkerExpander(config, sourceTable(config), { workers: 1, instance: 'test-instance' });
  after(async () => {
    await x.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { x, dataDir };
}

const withRule = (forgotten: 'new-key' | 'drop' | 'dead-letter'): Partial<ConfigInput> => {
  const policy = structuredClone(DEFAULT_POLICY);
  policy.rules.sendgrid = { ...policy.rules.sendgrid!, forgotten };
  return { policy };
};

/** One SendGrid request naming these recipients, one event each, received at `receivedAt`. */
function entry(emails: string[], receivedAt: number) {
  const events = emails.map((email) => ({ email, event: 'delivered', timestamp: Math.floor(receivedAt / 1000), sg_event_id: `e-${++seq}`, ip: '192.0.2.7' }));
  return { seq, source: 'sendgrid', receivedAt, payload: Buffer.from(JSON.stringify(events)) };
}

const envelopes = (r: ExpandResult): Envelope[] => r.records.map((rec) => JSON.parse(rec.value.toString()) as Envelope);
const keyRecordsOf = (r: ExpandResult): Map<string, SubjectKeyRecord> => {
  const out = new Map<string, SubjectKeyRecord>();
  for (const k of r.keyRecords ?? []) {
    const parsed = parseKeysTopicRecord(k.key, k.value);
    assert.ok(parsed?.kind === 'key' && parsed.value, `a key record: ${k.key}`);
    assert.equal(k.headers['sealpost-schema'], SUBJECT_KEY_SCHEMA);
    out.set(parsed.keyId, parsed.value);
  }
  return out;
};

describe('subject keys in the expand worker', () => {
  it('reuses the key of a repeated subject, sends its record until produced, and keys each department apart', async () => {
    const { x, dataDir } = await expander();
    const first = await x.expand(entry(['alice@example.com', 'bob@example.com', 'alice@example.com'], T0));
    const [a1, b1, a2] = envelopes(first);
    assert.equal(a1!.schema, 'sealpost.envelope/2');
    assert.equal(first.records[0]!.headers['sealpost-schema'], '2');
    assert.deepEqual(a1!.keys, a2!.keys, 'one key per (subject, department) within an entry');
    assert.notEqual(a1!.keys!.support, a1!.keys!.security);
    assert.notEqual(a1!.keys!.support, b1!.keys!.support);
    const keys = keyRecordsOf(first);
    assert.equal(keys.size, 4, 'alice and bob, support and security');
    assert.equal(keys.get(a1!.keys!.support!)!.instance, 'test-instance');
    assert.equal(keys.get(a1!.keys!.support!)!.subject, a1!.recipient);
    const support = departmentKeyring(dataDir, 'support');
    assert.equal((await openEnvelopeSection(support, a2!, 'support', keys)).plaintext.fields.email, 'alice@example.com');
    await assert.rejects(openEnvelopeSection(support, a1!, 'security', keys), 'support cannot open the security key');

    const again = await x.expand(entry(['alice@example.com'], T0 + 1));
    assert.deepEqual(envelopes(again)[0]!.keys, a1!.keys, 'the cached key is reused');
    assert.deepEqual([...keyRecordsOf(again).keys()].sort(), Object.values(a1!.keys!).sort(), 'not yet produced: the records travel again');

    x.keyRecordsProduced(first.keyRecords!);
    const later = await x.expand(entry(['alice@example.com'], T0 + 2));
    assert.deepEqual(envelopes(later)[0]!.keys, a1!.keys);
    assert.equal(later.keyRecords, undefined, 'produced: no key record needed');
    assert.equal(x.stats().subjectKeysCreated, 4);
  });

  it('keeps an event without a recipient a v1 envelope', async () => {
    const { x } = await expander();
    const res = await x.expand({ seq: ++seq, source: 'sendgrid', receivedAt: T0, payload: Buffer.from(JSON.stringify([{ event: 'processed', timestamp: 1, sg_event_id: `n-${seq}` }])) });
    assert.equal(envelopes(res)[0]!.schema, 'sealpost.envelope/1');
    assert.equal(envelopes(res)[0]!.keys, undefined);
    assert.equal(res.keyRecords, undefined);
  });

  it('keys each record of a batch by its own recipient, with events without one among them', async () => {
    const { x, dataDir } = await expander();
    const payload = [
      { email: 'Alice <Alice@Example.com>', event: 'delivered', timestamp: 1, sg_event_id: `m-${++seq}` },
      { event: 'processed', timestamp: 1, sg_event_id: `m-${++seq}` },
      { email: 'bob@example.com', event: 'delivered', timestamp: 1, sg_event_id: `m-${++seq}` },
      { email: 'alice@example.com', event: 'open', timestamp: 1, sg_event_id: `m-${++seq}` },
    ];
    const res = await x.expand({ seq, source: 'sendgrid', receivedAt: T0, payload: Buffer.from(JSON.stringify(payload)) });
    const [alice, none, bob, alice2] = envelopes(res);
    assert.equal(alice!.recipient, blindIndexOf(dataDir, 'alice@example.com'));
    assert.equal(alice2!.recipient, alice!.recipient, 'every spelling of one address is one subject');
    assert.equal(bob!.recipient, blindIndexOf(dataDir, 'bob@example.com'));
    assert.equal(none!.recipient, undefined);
    assert.deepEqual(res.records.map((r) => r.key), [alice!.recipient, none!.id, bob!.recipient, alice!.recipient]);
  });

  it('with subject keys off, seals exactly as v1: department keys, no key records', async () => {
    const { x, dataDir } = await expander({ subjectKeys: { enabled: false } });
    const res = await x.expand(entry(['alice@example.com'], T0));
    const [env] = envelopes(res);
    assert.equal(env!.schema, 'sealpost.envelope/1');
    assert.equal(res.records[0]!.headers['sealpost-schema'], '1');
    assert.equal(env!.keys, undefined);
    assert.equal(res.keyRecords, undefined);
    assert.equal((await openEnvelopeSection(departmentKeyring(dataDir, 'support'), env!, 'support', new Map())).plaintext.fields.email, 'alice@example.com');
  });

  it('forgotten: older entries are sealed under keys never sent; newer ones get a new key; others are untouched', async () => {
    const { x, dataDir } = await expander();
    const first = await x.expand(entry(['alice@example.com', 'bob@example.com'], T0));
    x.keyRecordsProduced(first.keyRecords!);
    const [alice, bob] = envelopes(first);
    x.forgotten([{ subject: alice!.recipient!, forgottenAtMs: T0 + 1000 }]);

    const older = await x.expand(entry(['alice@example.com'], T0 + 500)); // journaled before the forget, forwarded after
    const [shredded] = envelopes(older);
    assert.equal(older.records.length, 1, 'forwarded');
    assert.ok(shredded!.keys!.support && shredded!.keys!.support !== alice!.keys!.support, 'under a key of its own');
    assert.equal(older.keyRecords, undefined, 'whose record is never sent');
    await assert.rejects(openEnvelopeSection(departmentKeyring(dataDir, 'support'), shredded!, 'support', keyRecordsOf(first)), /no key record/);
    assert.deepEqual(older.forgotten, { shredded: 1, dropped: 0 }, 'counted by the forwarder once the entry is completed');

    const newer = await x.expand(entry(['alice@example.com', 'bob@example.com'], T0 + 2000));
    const [fresh, bobAgain] = envelopes(newer);
    const keys = keyRecordsOf(newer);
    assert.notEqual(fresh!.keys!.support, alice!.keys!.support, 'new data, new key');
    assert.deepEqual([...keys.keys()].sort(), Object.values(fresh!.keys!).sort(), 'the new keys are sent');
    assert.deepEqual(bobAgain!.keys, bob!.keys, "bob's keys are untouched");
    assert.equal((await openEnvelopeSection(departmentKeyring(dataDir, 'support'), fresh!, 'support', keys)).plaintext.fields.email, 'alice@example.com');
  });

  it('a new worker (a reload, a restart) knows every forget from the follower\'s store on disk, with no list handed over', async () => {
    const dataDir = tempDataDir();
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const { config } = testConfig({ dataDir });
    const first = await startWorkerExpander(config, sourceTable(config), { workers: 1, instance: 'test-instance' });
    const [alice] = envelopes(await first.expand(entry(['alice@example.com'], T0)));
    await first.close();
    // The follower's store as the service writes it: alice's forget marker applied (shared/subject-keys record).
    const store = openKeysStore({ dataDir, topic: config.subjectKeys.topic, self: 'test-instance' });
    const marker: KeysTopicRecord = { kind: 'forgotten', subject: alice!.recipient!, value: { schema: FORGOTTEN_SCHEMA, subject: alice!.recipient!, forgottenAt: new Date(T0 + 1000).toISOString() } };
    store.apply(0, [{ offset: '0', record: marker }], '1');
    after(() => store.close());

    const x = await startWorkerExpander(config, sourceTable(config), { workers: 1, instance: 'test-instance' });
    after(() => x.close());
    const older = await x.expand(entry(['alice@example.com'], T0 + 500));
    assert.equal(older.keyRecords, undefined, 'received before the forget: sealed under a key never sent');
    assert.notEqual(envelopes(older)[0]!.keys!.support, alice!.keys!.support);
    assert.deepEqual(older.forgotten, { shredded: 1, dropped: 0 });
    const newer = await x.expand(entry(['alice@example.com'], T0 + 2000));
    assert.equal(keyRecordsOf(newer).size, 2, 'received after it: a new key per department, sent');
  });

  it('holds at most a bounded number of forget answers; one it dropped is read from disk again', () => {
    const disk = new Map([['s1', 10], ['s3', 30]]);
    let reads = 0;
    const f = createForgottenSubjects({ source: { forgottenAt: (s) => (reads++, disk.get(s)) }, limit: 2 });
    assert.deepEqual(['s1', 's2', 's3'].map((s) => f.atMs(s)), [10, undefined, 30]);
    assert.equal(f.size(), 2);
    assert.equal(f.atMs('s1'), 10, 'dropped, read again from disk');
    assert.equal(reads, 4);
    f.add([{ subject: 's2', forgottenAtMs: 20 }]);
    assert.equal(f.atMs('s2'), 20, 'a notice updates a held answer');
    assert.equal(f.size(), 2);
  });

  it('forgotten: drop — a newer event of the subject is dropped and counted, the others forwarded', async () => {
    const { x } = await expander(withRule('drop'));
    const [alice] = envelopes(await x.expand(entry(['alice@example.com'], T0)));
    x.forgotten([{ subject: alice!.recipient!, forgottenAtMs: T0 + 1000 }]);
    const res = await x.expand(entry(['alice@example.com', 'bob@example.com'], T0 + 2000));
    assert.equal(res.records.length, 1);
    assert.notEqual(envelopes(res)[0]!.recipient, alice!.recipient);
    assert.deepEqual(res.deadLetters, []);
    assert.deepEqual(res.forgotten, { shredded: 0, dropped: 1 });
    assert.equal((await x.expand(entry(['alice@example.com'], T0 + 500))).records.length, 1, 'an older entry is still forwarded, shredded');
  });

  it('forgotten: dead-letter — a newer event of the subject is kept as a dead letter subject_forgotten', async () => {
    const { x } = await expander(withRule('dead-letter'));
    const [alice] = envelopes(await x.expand(entry(['alice@example.com'], T0)));
    x.forgotten([{ subject: alice!.recipient!, forgottenAtMs: T0 + 1000 }]);
    const e = entry(['bob@example.com', 'alice@example.com'], T0 + 2000);
    const res = await x.expand(e);
    assert.equal(res.records.length, 1);
    assert.equal(res.deadLetters.length, 1);
    const [dl] = res.deadLetters;
    assert.equal(dl!.reason, 'subject_forgotten');
    assert.deepEqual(dl!.clear, { eventId: `e-${seq}` });
    assert.ok(dl!.raw.equals(e.payload), 'the entry is kept whole, as for a record too large');
  });
});
