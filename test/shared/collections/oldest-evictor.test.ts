// The evictor of bounded maps and sets (shared/collections/oldest-evictor.ts) against a plain model of insertion
// order: whatever mix of inserts, re-inserts (moved last), deletes, evictions and clears, it removes exactly the
// oldest live entry, as `keys().next()` would.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

describe('oldestEvictor', () => {
  test('removes the oldest live key of a Map through 20,000 random operations, and runs beforeDelete first', () => {
    const m = new Map<number, string>();
    const evict = oldestEvictor(m);
    const model: number[] = [];
    for (let n = 0; n < 20_000; n++) {
      const op = randomInt(10);
      const k = randomInt(200);
      if (op < 5) {
        // insert as the bounded caches do: delete first, so a key put again counts as the newest
        m.delete(k);
        m.set(k, `v${k}`);
        const at = model.indexOf(k);
        if (at >= 0) model.splice(at, 1);
        model.push(k);
      } else if (op < 7) {
        m.delete(k);
        const at = model.indexOf(k);
        if (at >= 0) model.splice(at, 1);
      } else if (op < 9) {
        let seen: string | undefined;
        const got = evict((key) => (seen = m.get(key)));
        assert.equal(got, model.shift());
        if (got !== undefined) assert.equal(seen, `v${got}`, 'beforeDelete sees the entry still there');
      } else if (randomInt(20) === 0) {
        m.clear();
        model.length = 0;
      }
      assert.deepEqual([...m.keys()], model);
    }
  });

  test('on a Set, and keeps working after the set was emptied', () => {
    const s = new Set<string>(['a', 'b', 'c']);
    const evict = oldestEvictor(s);
    assert.deepEqual([evict(), evict(), evict(), evict()], ['a', 'b', 'c', undefined]);
    s.add('d');
    s.add('e');
    assert.equal(evict(), 'd');
    assert.deepEqual([...s], ['e']);
  });
});
