// The suppression record's sealed address under subject keys, through the real expand worker: the same subject
// key as the event's own sections (so a forget shreds it), its key record with the entry's key records (produced
// before the records sealed under it), and for a forgotten subject a key that is never kept.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { Envelope } from '../../../shared/envelope/index.js';
import { DEFAULT_POLICY } from '../../../shared/policy/index.js';
import { parseKeysTopicRecord, type SubjectKeyRecord } from '../../../shared/subject-keys/index.js';
import type { ConfigInput } from '../../../ingest-service/src/config/index.js';
import { sourceTable } from '../../../ingest-service/src/config/source-table.js';
import { startWorkerExpander, type ExpandResult, type WorkerExpander } from '../../../ingest-service/src/expand/index.js';
import type { SuppressionValue } from '../../../ingest-service/src/suppressions/suppression-state.js';
import { tempDataDir, testConfig } from '../../support/ingest.js';
import { departmentKeyring, openEnvelopeSection } from '../../support/local-decrypt.js';

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

/** One SendGrid request: a bounce of each address, received at `receivedAt`. */
function bounces(emails: string[], receivedAt: number) {
  const events = emails.map((email) => ({ email, event: 'bounce', type: 'bounce', timestamp: Math.floor(receivedAt / 1000), sg_event_id: `b-${++seq}` }));
  return { seq, source: 'sendgrid', receivedAt, payload: Buffer.from(JSON.stringify(events)) };
}

const envelopes = (r: ExpandResult): Envelope[] => r.records.map((rec) => JSON.parse(rec.value.toString()) as Envelope);
const suppressions = (r: ExpandResult): SuppressionValue[] => (r.suppressionRecords ?? []).map((rec) => JSON.parse(rec.value.toString()) as SuppressionValue);
const keyRecordsOf = (r: ExpandResult): Map<string, SubjectKeyRecord> => {
  const out = new Map<string, SubjectKeyRecord>();
  for (const k of r.keyRecords ?? []) {
    const parsed = parseKeysTopicRecord(k.key, k.value);
    if (parsed?.kind === 'key' && parsed.value) out.set(parsed.keyId, parsed.value);
  }
  return out;
};
/** A suppression value as the envelope its sections open like (what the console does). */
const asEnvelope = (v: SuppressionValue): Envelope => ({
  schema: v.keys ? 'sealpost.envelope/2' : 'sealpost.envelope/1',
  id: v.sealedId,
  source: v.sealedSource,
  kind: 'sendgrid',
  type: 'suppression',
  time: '',
  receivedAt: '',
  policyVersion: v.policyVersion,
  recipient: v.subject,
  clear: {},
  sections: v.sections,
  ...(v.keys ? { keys: v.keys } : {}),
});

describe('suppression addresses under subject keys', () => {
  it("seals the address under the event's own subject keys, whose records travel with the entry", async () => {
    const { x, dataDir } = await expander();
    const res = await x.expand(bounces(['alice@example.com'], T0));
    const [event] = envelopes(res);
    const [supp] = suppressions(res);
    assert.equal(supp!.subject, event!.recipient);
    assert.deepEqual(supp!.keys, event!.keys, 'the same subject key per department as the event');
    const keys = keyRecordsOf(res);
    assert.deepEqual([...keys.keys()].sort(), Object.values(supp!.keys!).sort(), 'their key records are in the entry, produced before the records');
    const opened = await openEnvelopeSection(departmentKeyring(dataDir, 'support'), asEnvelope(supp!), 'support', keys);
    assert.equal(opened.plaintext.fields.address, 'alice@example.com');
    await assert.rejects(openEnvelopeSection(departmentKeyring(dataDir, 'support'), { ...asEnvelope(supp!), keys: undefined, schema: 'sealpost.envelope/1' }, 'support', keys), 'not under the department key alone');
  });

  it('a forgotten subject stays suppressed, its address sealed under a key that is never kept', async () => {
    const { x, dataDir } = await expander();
    const first = await x.expand(bounces(['alice@example.com'], T0));
    x.keyRecordsProduced(first.keyRecords!);
    const [before] = suppressions(first);
    x.forgotten([{ subject: before!.subject, forgottenAtMs: T0 + 1000 }]);

    const older = await x.expand(bounces(['alice@example.com'], T0 + 500)); // journaled before the forget
    const [shredded] = suppressions(older);
    assert.equal(shredded!.subject, before!.subject);
    assert.deepEqual(Object.keys(shredded!.reasons), ['bounce'], 'still on the list');
    assert.ok(shredded!.keys!.support && shredded!.keys!.support !== before!.keys!.support, 'under a key of its own');
    assert.equal(older.keyRecords, undefined, 'whose record is never sent');
    await assert.rejects(openEnvelopeSection(departmentKeyring(dataDir, 'support'), asEnvelope(shredded!), 'support', keyRecordsOf(first)), /no key record/);
  });

  it('forgotten: drop — the event is dropped, the suppression kept with its address unreadable', async () => {
    const policy = structuredClone(DEFAULT_POLICY);
    policy.rules.sendgrid = { ...policy.rules.sendgrid!, forgotten: 'drop' };
    const { x, dataDir } = await expander({ policy });
    const first = await x.expand(bounces(['alice@example.com'], T0));
    x.keyRecordsProduced(first.keyRecords!);
    const [before] = suppressions(first);
    x.forgotten([{ subject: before!.subject, forgottenAtMs: T0 + 1000 }]);
    const newer = await x.expand(bounces(['alice@example.com'], T0 + 2000));
    assert.equal(newer.records.length, 0, 'the event is dropped');
    const [kept] = suppressions(newer);
    assert.deepEqual(Object.keys(kept!.reasons), ['bounce'], 'the person is still not to be mailed');
    assert.ok(kept!.keys?.support, 'sealed under a subject key');
    assert.equal(newer.keyRecords, undefined, 'that is never kept');
    await assert.rejects(openEnvelopeSection(departmentKeyring(dataDir, 'support'), asEnvelope(kept!), 'support', keyRecordsOf(first)), /no key record/);
  });

  it('with subject keys off, the address is sealed under the department keys as before', async () => {
    const { x, dataDir } = await expander({ subjectKeys: { enabled: false } });
    const res = await x.expand(bounces(['alice@example.com'], T0));
    const [supp] = suppressions(res);
    assert.equal(supp!.keys, undefined);
    assert.equal(res.keyRecords, undefined);
    assert.equal((await openEnvelopeSection(departmentKeyring(dataDir, 'support'), asEnvelope(supp!), 'support', new Map())).plaintext.fields.address, 'alice@example.com');
  });
});
