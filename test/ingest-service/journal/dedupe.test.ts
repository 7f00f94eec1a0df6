import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, testClock } from './temp-journal.js';

const append = (j: ReturnType<typeof openTemp>['journal'], source = 'sg') =>
  j.append({ source, kind: 'sendgrid', receivedAt: 1, payload: Buffer.from('[]') });

test('an event id forwarded from one entry is a duplicate when another entry carries it, per source', async () => {
  const t = openTemp();
  try {
    const a = await append(t.journal);
    const b = await append(t.journal);
    await t.journal.complete([a], { claims: [{ source: 'sg', eventId: 'ev-1', seq: a }] });
    assert.deepEqual(
      t.journal.findDuplicates([
        { source: 'sg', eventId: 'ev-1', seq: b },
        { source: 'sg', eventId: 'ev-2', seq: b },
        { source: 'other', eventId: 'ev-1', seq: b },
      ]),
      [true, false, false],
    );
  } finally {
    await t.cleanup();
  }
});

test('a retried entry is not a duplicate of itself: claims exist only once complete() committed', async () => {
  const t = openTemp();
  try {
    const a = await append(t.journal);
    // First attempt: no complete (the produce failed), so the retry sees no claim.
    assert.deepEqual(t.journal.findDuplicates([{ source: 'sg', eventId: 'ev-1', seq: a }]), [false]);
    assert.deepEqual(t.journal.findDuplicates([{ source: 'sg', eventId: 'ev-1', seq: a }]), [false]);
    await t.journal.complete([a], { claims: [{ source: 'sg', eventId: 'ev-1', seq: a }] });
    // Even with a claim, the same seq is never its own duplicate (redrive or replays of the same entry).
    assert.deepEqual(t.journal.findDuplicates([{ source: 'sg', eventId: 'ev-1', seq: a }]), [false]);
  } finally {
    await t.cleanup();
  }
});

test('duplicates within one batch are caught before any claim exists: the first occurrence wins', async () => {
  const t = openTemp();
  try {
    const a = await append(t.journal);
    const b = await append(t.journal);
    assert.deepEqual(
      t.journal.findDuplicates([
        { source: 'sg', eventId: 'x', seq: a },
        { source: 'sg', eventId: 'y', seq: a },
        { source: 'sg', eventId: 'x', seq: b },
        { source: 'sg', eventId: 'x', seq: a },
      ]),
      [false, false, true, true],
    );
  } finally {
    await t.cleanup();
  }
});

test('one call with several sources: each id is looked up in its own source, repeats are duplicates per source', async () => {
  const t = openTemp();
  try {
    const a = await append(t.journal, 'sg');
    const b = await append(t.journal, 'ses');
    const c = await append(t.journal, 'sg');
    await t.journal.complete([a, b], {
      claims: [
        { source: 'sg', eventId: 'x', seq: a },
        { source: 'ses', eventId: 'y', seq: b },
      ],
    });
    assert.deepEqual(
      t.journal.findDuplicates([
        { source: 'ses', eventId: 'x', seq: c },
        { source: 'sg', eventId: 'x', seq: c },
        { source: 'sg', eventId: 'y', seq: c },
        { source: 'ses', eventId: 'y', seq: c },
        { source: 'ses', eventId: 'x', seq: c },
        { source: 'sg', eventId: 'z', seq: c },
        { source: 'ses', eventId: 'z', seq: c },
      ]),
      [false, true, false, true, true, false, false],
    );
  } finally {
    await t.cleanup();
  }
});

test('event ids are matched exactly whatever they hold: quotes, backslashes, NUL, emoji, a lone surrogate', async () => {
  const t = openTemp();
  try {
    const ids = ['"quoted"', 'back\\slash', 'nul\u0000inside', 'smile \u{1F600}', 'lone \ud800 surrogate', ''];
    const a = await append(t.journal);
    const b = await append(t.journal);
    await t.journal.complete([a], { claims: ids.map((eventId) => ({ source: 'sg', eventId, seq: a })) });
    const again = [...ids, 'nul', 'lone \ufffd surrogate'].map((eventId) => ({ source: 'sg', eventId, seq: b }));
    assert.deepEqual(t.journal.findDuplicates(again), [true, true, true, true, true, true, false, false]);
  } finally {
    await t.cleanup();
  }
});

test('claims expire after the window: a late re-send is forwarded again, and expired claims are pruned', async () => {
  const clock = testClock();
  const t = openTemp({ clock, dedupeWindowSeconds: 3600 });
  try {
    const a = await append(t.journal);
    const b = await append(t.journal);
    await t.journal.complete([a], { claims: [{ source: 'sg', eventId: 'ev', seq: a }] });
    clock.advance(3599_000);
    assert.deepEqual(t.journal.findDuplicates([{ source: 'sg', eventId: 'ev', seq: b }]), [true]);
    assert.equal((await t.journal.prune()).claims, 0);
    clock.advance(2_000);
    assert.deepEqual(t.journal.findDuplicates([{ source: 'sg', eventId: 'ev', seq: b }]), [false]);
    assert.equal((await t.journal.prune()).claims, 1);
    // Claims survive a restart (the window is not reset by a deploy).
    const c = await append(t.journal);
    await t.journal.complete([c], { claims: [{ source: 'sg', eventId: 'fresh', seq: c }] });
    const j = await t.reopen();
    assert.deepEqual(j.findDuplicates([{ source: 'sg', eventId: 'fresh', seq: c + 1 }]), [true]);
  } finally {
    await t.cleanup();
  }
});

test('dedupeWindowSeconds 0 turns dedupe off', async () => {
  const t = openTemp({ dedupeWindowSeconds: 0 });
  try {
    const a = await append(t.journal);
    await t.journal.complete([a], { claims: [{ source: 'sg', eventId: 'ev', seq: a }] });
    assert.deepEqual(t.journal.findDuplicates([{ source: 'sg', eventId: 'ev', seq: a + 1 }, { source: 'sg', eventId: 'ev', seq: a + 1 }]), [false, false]);
  } finally {
    await t.cleanup();
  }
});
