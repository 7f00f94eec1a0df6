import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openTemp, testClock } from './temp-journal.js';

const body = (s: string): Buffer => Buffer.from(s);

test('append resolves with increasing seqs and the entry comes back pending, in order, decrypted', async () => {
  const t = openTemp();
  try {
    const a = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1000, payload: body('one') });
    const b = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1001, payload: body('two') });
    assert.ok(b > a);
    const batch = t.journal.nextBatch(10);
    assert.deepEqual(batch.map((e) => e.seq), [a, b]);
    assert.deepEqual(batch.map((e) => t.journal.decryptPayload(e).toString()), ['one', 'two']);
    assert.equal(batch[0]!.kind, 'sendgrid');
    assert.equal(batch[0]!.receivedAt, 1000);
    assert.equal(batch[0]!.size, 3);
  } finally {
    await t.cleanup();
  }
});

test('an append promise resolves only once another connection can read the committed row', async () => {
  const t = openTemp({ groupCommitMs: 20 });
  const reader = new Database(join(t.dir, 'journal.db'), { readonly: true });
  try {
    const p = t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: body('x') });
    const count = (): number => (reader.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
    assert.equal(count(), 0, 'nothing is committed while the group is still collecting');
    const seq = await p;
    assert.equal(count(), 1);
    assert.equal((reader.prepare('SELECT seq FROM entries').get() as { seq: number }).seq, seq);
  } finally {
    reader.close();
    await t.cleanup();
  }
});

test('group commit: many concurrent appends share few transactions', async () => {
  const t = openTemp({ groupCommitMs: 5 });
  try {
    await t.journal.ready();
    const seqs = await Promise.all(
      Array.from({ length: 500 }, (_, i) => t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: i, payload: Buffer.alloc(1024, i) })),
    );
    assert.equal(new Set(seqs).size, 500);
    const s = t.journal.stats();
    assert.equal(s.appendedEntries, 500);
    assert.ok(s.appendCommits <= 2, `500 concurrent appends took ${s.appendCommits} transactions`);
    // Two waves far apart are two groups: the delay bounds how long an ack waits for company.
    await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: body('late') });
    assert.equal(t.journal.stats().appendCommits, s.appendCommits + 1);
    assert.equal(t.journal.stats().pendingBySource.sg, 501);
  } finally {
    await t.cleanup();
  }
});

test('nextBatch merges sources in seq order, honours excludeSources, limit and maxBytes', async () => {
  const t = openTemp();
  try {
    const order: number[] = [];
    for (let i = 0; i < 6; i++) {
      order.push(await t.journal.append({ source: i % 2 ? 'b' : 'a', kind: 'events', receivedAt: i, payload: Buffer.alloc(100) }));
    }
    assert.deepEqual(t.journal.nextBatch(10).map((e) => e.seq), order);
    assert.deepEqual(t.journal.nextBatch(2).map((e) => e.seq), order.slice(0, 2));
    assert.deepEqual(t.journal.nextBatch(10, { excludeSources: ['a'] }).map((e) => e.source), ['b', 'b', 'b']);
    assert.equal(t.journal.nextBatch(10, { maxBytes: 250 }).length, 2);
    assert.equal(t.journal.nextBatch(10, { maxBytes: 1 }).length, 1, 'at least one entry even when it alone exceeds maxBytes');
  } finally {
    await t.cleanup();
  }
});

test('complete removes entries from the backlog and stats follow', async () => {
  const clock = testClock();
  const t = openTemp({ clock });
  try {
    const a = await t.journal.append({ source: 'a', kind: 'events', receivedAt: 10, payload: body('1') });
    const b = await t.journal.append({ source: 'b', kind: 'events', receivedAt: 20, payload: body('2') });
    await t.journal.append({ source: 'a', kind: 'events', receivedAt: 30, payload: body('3') });
    let s = t.journal.stats();
    assert.deepEqual(s.pendingBySource, { a: 2, b: 1 });
    assert.equal(s.oldestPendingAt, 10);
    await t.journal.complete([a, b]);
    await t.journal.complete([a]); // completing twice changes nothing
    s = t.journal.stats();
    assert.deepEqual(s.pendingBySource, { a: 1 });
    assert.equal(s.pendingTotal, 1);
    assert.equal(s.oldestPendingAt, 30);
    assert.deepEqual(t.journal.nextBatch(10).map((e) => t.journal.decryptPayload(e).toString()), ['3']);
    // Pending counts are rebuilt from disk on reopen.
    await t.reopen();
    assert.deepEqual(t.journal.stats().pendingBySource, { a: 1 });
  } finally {
    await t.cleanup();
  }
});

test('seqs are never reused, even after every entry was forwarded and deleted', async () => {
  const clock = testClock();
  const t = openTemp({ clock, retainForwardedSeconds: 0 });
  try {
    const a = await t.journal.append({ source: 'a', kind: 'events', receivedAt: 1, payload: body('1') });
    await t.journal.complete([a]);
    clock.advance(1000);
    assert.equal((await t.journal.prune()).entries, 1);
    await t.reopen();
    const b = await t.journal.append({ source: 'a', kind: 'events', receivedAt: 2, payload: body('2') });
    assert.ok(b > a, `seq ${b} after ${a}`);
  } finally {
    await t.cleanup();
  }
});

test('retention deletes forwarded entries only once they are older than retainForwardedSeconds', async () => {
  const clock = testClock();
  const t = openTemp({ clock, retainForwardedSeconds: 60 });
  try {
    const seqs = await Promise.all(Array.from({ length: 5 }, (_, i) => t.journal.append({ source: 'a', kind: 'events', receivedAt: i, payload: body(`${i}`) })));
    await t.journal.complete(seqs.slice(0, 3));
    clock.advance(59_000);
    assert.equal((await t.journal.prune()).entries, 0);
    clock.advance(2_000);
    assert.equal((await t.journal.prune()).entries, 3);
    assert.equal(t.journal.stats().pendingTotal, 2);
    const db = new Database(join(t.dir, 'journal.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM payloads').get() as { n: number }).n, 2, 'payloads of deleted entries are gone too');
    } finally {
      db.close();
    }
  } finally {
    await t.cleanup();
  }
});

test('pause and resume are persisted and wake listeners on resume', async () => {
  const t = openTemp();
  try {
    t.journal.pause('sg', { by: 'alice', reason: 'topic being migrated' });
    await t.reopen();
    assert.deepEqual(t.journal.pausedSources(), ['sg']);
    assert.equal(t.journal.listPaused()[0]!.pausedBy, 'alice');
    let woke = 0;
    t.journal.onWork(() => woke++);
    t.journal.resume('sg');
    await new Promise((r) => setImmediate(r));
    assert.equal(woke, 1);
    await t.reopen();
    assert.deepEqual(t.journal.pausedSources(), []);
  } finally {
    await t.cleanup();
  }
});

test('append after close is refused as retriable, and close commits what was queued', async () => {
  const t = openTemp({ groupCommitMs: 50 });
  const p = t.journal.append({ source: 'a', kind: 'events', receivedAt: 1, payload: body('queued') });
  await t.journal.close();
  const seq = await p;
  await assert.rejects(t.journal.append({ source: 'a', kind: 'events', receivedAt: 2, payload: body('late') }), (e: { code: string; retriable: boolean; status: number }) => {
    return e.code === 'SP_JOURNAL_CLOSED' && e.retriable && e.status === 503;
  });
  const j = await t.reopen();
  assert.deepEqual(j.nextBatch(10).map((e) => e.seq), [seq]);
  await t.cleanup();
});
