// The expand worker's subject keyring on its own (no threads, a stand-in for the sealer's sealSubjectKeys):
// what forget notices do to keys in the cache and to keys being made while a notice arrives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSubjectKeyring } from '../../../ingest-service/src/expand/subject-keys/subject-keyring.js';
import type { SubjectKey } from '../../../shared/seal/index.js';
import { parseKeysTopicRecord } from '../../../shared/subject-keys/index.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const ALICE = 'aliceBlindIndex0000000';

const ZERO = Buffer.alloc(32);
const zeroed = (k: SubjectKey): boolean => k.key.equals(ZERO);

function keyring(opts: { cacheSize?: number; disk?: Map<string, number>; now?: () => number } = {}) {
  const discarded: SubjectKey[] = [];
  const disk = opts.disk;
  const k = createSubjectKeyring({
    topic: 't.keys',
    cacheSize: opts.cacheSize ?? 100,
    ...(disk ? { forgottenSource: { forgottenAt: (s: string) => disk.get(s) } } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    instance: 'test-instance',
    departments: ['support', 'security'],
    seal: async (keys) => keys.map((k) => Buffer.from(`sealed:${k.keyId}`).toString('base64')),
    // As the sealer's discardSubjectKeys does (and its materials' data keys with it).
    discard: (keys) => {
      for (const key of keys) key.key.fill(0);
      discarded.push(...keys);
    },
  });
  return Object.assign(k, { discarded });
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

describe('subject keyring and the follower: forgets on disk, keys it shredded', () => {
  it('a key the follower shredded (made within the grace) is dropped and zeroed; the other department\'s stays', async () => {
    const k = keyring();
    const batch = k.begin();
    const [support, security] = [batch.keyFor(ALICE, 'support'), batch.keyFor(ALICE, 'security')];
    const records = await batch.finish();
    batch.end();
    k.shredded([records.find((r) => r.key.includes('/support/'))!.key, `key/${ALICE}/security/someOtherKeyId00000000`]);
    assert.ok(zeroed(support));
    const next = k.begin();
    assert.notEqual(next.keyFor(ALICE, 'support').id, support.id, 'a new key next time');
    assert.equal(next.keyFor(ALICE, 'security').id, security.id, 'a key it did not name stays');
  });

  it('a forget found on disk before its notice (or after its answer was dropped) drops the keys made up to it', async () => {
    const disk = new Map<string, number>();
    let clock = T0;
    const k = keyring({ cacheSize: 2, disk, now: () => clock });
    const first = k.begin();
    assert.equal(first.mode(ALICE, T0, 'new-key'), 'keyed');
    const old = [first.keyFor(ALICE, 'support'), first.keyFor(ALICE, 'security')];
    await first.finish();
    first.end();
    // Two other subjects looked at: alice's answer ("not forgotten") is dropped, her keys stay held.
    const others = k.begin();
    others.mode('bobBlindIndex000000000', T0, 'new-key');
    others.mode('carolBlindIndex0000000', T0, 'new-key');
    others.end();
    assert.equal(k.stats().cachedKeys, 2);
    disk.set(ALICE, T0 + 1000); // forgotten; the notice has not reached this worker
    clock = T0 + 2000;
    const after = k.begin();
    assert.equal(after.mode(ALICE, T0 + 2000, 'new-key'), 'keyed', 'received after the forget: a new key');
    assert.notEqual(after.keyFor(ALICE, 'support').id, old[0]!.id, 'not the keys made before it');
    assert.notEqual(after.keyFor(ALICE, 'security').id, old[1]!.id);
    after.end();
    assert.ok(old.every(zeroed), 'and those are zeroed once the expand ends');
    assert.equal(k.begin().mode(ALICE, T0 + 500, 'new-key'), 'throwaway', 'an older entry is shredded');
  });
});

describe('subject keyring: keys are zeroed once nothing seals with them', () => {
  const BOB = 'bobBlindIndex000000000';

  it('a throwaway key, and a key made but never kept, when their expand ends', async () => {
    const k = keyring();
    k.forgotten([{ subject: ALICE, forgottenAtMs: T0 }]);
    const batch = k.begin();
    assert.equal(batch.mode(ALICE, T0 - 1, 'new-key'), 'throwaway');
    const throwaway = batch.throwaway();
    const withheld = batch.keyFor(BOB, 'support');
    k.forgotten([{ subject: BOB, forgottenAtMs: T0 + 1 }]); // while the batch runs: its key for bob is never kept
    assert.deepEqual(await batch.finish(), []);
    assert.ok(!zeroed(throwaway) && !zeroed(withheld), 'still in use until the expand ends');
    batch.end();
    assert.ok(zeroed(throwaway), 'the throwaway key is zeroed');
    assert.ok(zeroed(withheld), 'the key never kept is zeroed');
  });

  it('an evicted key, only after every expand that may still seal with it has ended', async () => {
    const k = keyring({ cacheSize: 1 });
    const first = k.begin();
    const alice = first.keyFor(ALICE, 'support');
    await first.finish();
    first.end();

    const sealing = k.begin(); // took alice's key from the cache; may seal with it after an await
    assert.equal(sealing.keyFor(ALICE, 'support'), alice);
    const other = k.begin();
    other.keyFor(BOB, 'support');
    await other.finish(); // bob's key evicts alice's
    other.end();
    assert.ok(!zeroed(alice), 'not while an expand that holds it runs');
    const later = k.begin(); // began after the eviction: cannot hold it, does not delay it
    sealing.end();
    assert.ok(zeroed(alice), 'zeroed once that expand ended');
    later.end();
    assert.notEqual(k.begin().keyFor(ALICE, 'support'), alice);
  });

  it("a forgotten subject's cached keys at once when no expand runs, and every key on close", async () => {
    const k = keyring();
    const batch = k.begin();
    const alice = [batch.keyFor(ALICE, 'support'), batch.keyFor(ALICE, 'security')];
    const bob = batch.keyFor(BOB, 'support');
    await batch.finish();
    batch.end();
    k.forgotten([{ subject: ALICE, forgottenAtMs: T0 }]);
    assert.ok(alice.every(zeroed), "alice's keys are zeroed");
    assert.ok(!zeroed(bob));
    k.close();
    assert.ok(zeroed(bob), 'closing zeroes what is held');
  });
});
