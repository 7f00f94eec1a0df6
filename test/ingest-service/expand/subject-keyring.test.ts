// The expand worker's subject keyring on its own (no threads, a stand-in for the sealer's sealSubjectKeys):
// what forget notices do to keys in the cache and to keys being made while a notice arrives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSubjectKeyring } from '../../../ingest-service/src/expand/subject-keys/subject-keyring.js';
import { parseKeysTopicRecord } from '../../../shared/subject-keys/index.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const ALICE = 'aliceBlindIndex0000000';

function keyring(opts: { cacheSize?: number } = {}) {
  return createSubjectKeyring({
    topic: 't.keys',
    cacheSize: opts.cacheSize ?? 100,
    instance: 'test-instance',
    departments: ['support', 'security'],
    seal: async (keys) => keys.map((k) => Buffer.from(`sealed:${k.keyId}`).toString('base64')),
  });
}

const keyIdsOf = (records: readonly { key: string; value: Buffer }[]): string[] =>
  records.map((r) => {
    const parsed = parseKeysTopicRecord(r.key, r.value);
    assert.ok(parsed?.kind === 'key');
    return parsed.keyId;
  });

describe('subject keyring and forget notices', () => {
  it('a forget notice heard again (the keys topic re-read from its start) keeps the new keys of the subject’s new events', async () => {
    const k = keyring();
    const notice = { subject: ALICE, forgottenAtMs: T0 };
    k.forgotten([notice]);

    // A new event after the forget (rule new-key): a new key, whose record is made while the notice comes again.
    const batch = k.begin();
    assert.equal(batch.mode(ALICE, T0 + 5000, 'new-key'), 'keyed');
    const key = batch.keyFor(ALICE, 'support');
    k.forgotten([notice]);
    const records = await batch.finish();
    assert.deepEqual(keyIdsOf(records), [key.id], 'the key record is sent: without it the new event is unreadable for good');

    const next = k.begin();
    assert.equal(next.keyFor(ALICE, 'support').id, key.id, 'and the key stays cached');
    k.forgotten([{ subject: ALICE, forgottenAtMs: T0 - 1 }]);
    assert.equal(k.begin().keyFor(ALICE, 'support').id, key.id, 'an older notice is no news either');
  });

  it('a later forget of the same subject still drops its keys and withholds the records of keys being made', async () => {
    const k = keyring();
    k.forgotten([{ subject: ALICE, forgottenAtMs: T0 }]);
    const first = k.begin();
    const key = first.keyFor(ALICE, 'support');
    await first.finish();

    const batch = k.begin();
    const other = batch.keyFor(ALICE, 'security');
    k.forgotten([{ subject: ALICE, forgottenAtMs: T0 + 10_000 }]);
    assert.deepEqual(await batch.finish(), [], 'a key of a subject forgotten while the batch ran is never sent');
    const again = k.begin();
    assert.notEqual(again.keyFor(ALICE, 'support').id, key.id, 'the cached key was dropped');
    assert.notEqual(again.keyFor(ALICE, 'security').id, other.id);
  });
});
