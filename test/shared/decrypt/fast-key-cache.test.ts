// The fast path's per-opener data-key cache: the opener's age limit and capacity, keys zeroed when dropped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createFastKeyCache } from '../../../shared/decrypt/fast-key-cache.js';

describe('fast data-key cache', () => {
  test('a key is served until its age limit, then dropped and zeroed', () => {
    let now = 1_000;
    const cache = createFastKeyCache({ maxAgeMs: 300_000, capacity: 10, now: () => now });
    const key = randomBytes(32);
    cache.put('edk-a', key);
    const held = cache.get('edk-a')!;
    assert.ok(held.equals(key));
    key.fill(0);
    assert.ok(!cache.get('edk-a')!.equals(key), 'the cache keeps its own copy');
    now += 299_999;
    assert.ok(cache.get('edk-a'), 'still within the age limit');
    now += 1;
    assert.equal(cache.get('edk-a'), undefined, 'expired at the age limit');
    assert.ok(held.every((b) => b === 0), 'the expired key was zeroed');
    assert.equal(cache.size, 0);
  });

  test('capacity drops the oldest key first, zeroed; clear() zeroes the rest', () => {
    const cache = createFastKeyCache({ maxAgeMs: 60_000, capacity: 2 });
    for (const id of ['a', 'b']) cache.put(id, randomBytes(32));
    const oldest = cache.get('a')!;
    cache.put('c', randomBytes(32));
    assert.equal(cache.get('a'), undefined);
    assert.ok(oldest.every((b) => b === 0));
    assert.ok(cache.get('b') && cache.get('c'));
    const rest = [cache.get('b')!, cache.get('c')!];
    cache.clear();
    assert.equal(cache.size, 0);
    for (const k of rest) assert.ok(k.every((b) => b === 0));
  });
});
