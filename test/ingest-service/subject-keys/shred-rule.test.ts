import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OWN_KEY_GRACE_MS, createdAtMs, shredOnArrival, shredOnMarker, type LiveKey } from '../../../ingest-service/src/subject-keys/shred-rule.js';

const F = Date.parse('2026-03-01T12:00:00Z');
const key = (createdAtMs: number, instance: string, keyId = 'k'): LiveKey => ({ subject: 'S', department: 'support', keyId, createdAtMs, instance });

describe('shred rule: which subject keys a forget shreds', () => {
  it('a key met after the marker: shredded when made up to the forget, or by this instance before it saw the marker', () => {
    const forget = { forgottenAtMs: F, seenAtMs: F + 5_000 };
    const table: [string, LiveKey, boolean][] = [
      ['another instance, made before F', key(F - 1, 'other'), true],
      ['another instance, made exactly at F', key(F, 'other'), true],
      ['another instance, made after F (new data)', key(F + 1, 'other'), false],
      ['this instance, after F but before it saw the marker', key(F + 3_000, 'me'), true],
      ['this instance, within the grace after it saw the marker', key(F + 5_000 + OWN_KEY_GRACE_MS, 'me'), true],
      ['this instance, well after it saw the marker (new data)', key(F + 5_000 + OWN_KEY_GRACE_MS + 1, 'me'), false],
      ['unreadable createdAt counts as oldest', key(createdAtMs('not a date'), 'other'), true],
    ];
    for (const [what, k, shred] of table) assert.equal(shredOnArrival(k, forget, 'me'), shred, what);
    assert.equal(shredOnArrival(key(0, 'me'), undefined, 'me'), false, 'a subject never forgotten keeps every key');
  });

  it('a marker: shreds keys made up to it and every key of this instance; a repeat of an applied marker changes nothing', () => {
    const live = [key(F - 10, 'other', 'a'), key(F + 10, 'other', 'b'), key(F + 10, 'me', 'c')];
    const first = shredOnMarker(live, F, undefined, 'me');
    assert.equal(first.apply, true);
    assert.deepEqual(first.shred.map((k) => k.keyId), ['a', 'c']);
    const repeat = shredOnMarker([key(F + 60_000, 'me', 'new')], F, { forgottenAtMs: F, seenAtMs: F }, 'me');
    assert.deepEqual(repeat, { apply: false, shred: [] }, 'a key made for new data after the forget survives a duplicate marker');
    const later = shredOnMarker([key(F + 60_000, 'other', 'new')], F + 120_000, { forgottenAtMs: F, seenAtMs: F }, 'me');
    assert.deepEqual(later.shred.map((k) => k.keyId), ['new'], 'a second forget shreds what was made since the first');
  });
});
