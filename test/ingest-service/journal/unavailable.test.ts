import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openJournal, type Journal } from '../../../ingest-service/src/journal/index.js';
import { faultFsUnavailableReason, withLoopExt4, withReadOnly, withTmpfs } from './fault-fs.js';
import { tempDir } from './temp-journal.js';

const skip = faultFsUnavailableReason();
const unavailable = (e: { code?: string; status?: number; retriable?: boolean }): boolean =>
  e.code === 'SP_JOURNAL_UNAVAILABLE' && e.status === 503 && e.retriable === true;
const appendMany = (j: Journal, n: number, bytes: number): Promise<number>[] =>
  Array.from({ length: n }, (_, i) => j.append({ source: 'sg', kind: 'sendgrid', receivedAt: i, payload: Buffer.alloc(bytes, 65 + (i % 26)) }));

test('disk full: every append of the group rejects 503 SP_JOURNAL_UNAVAILABLE, and the journal recovers once space is back', { skip }, async () => {
  await withTmpfs(2048, async (fs) => {
    const j = openJournal({ dir: fs.dir, groupCommitMs: 5, maintenanceIntervalMs: 50 });
    try {
      const before = await Promise.all(appendMany(j, 3, 1000));
      fs.fill();
      const results = await Promise.allSettled(appendMany(j, 10, 100_000));
      assert.deepEqual(results.map((r) => r.status), Array(10).fill('rejected'), 'no append resolves without durability');
      for (const r of results) assert.ok(r.status === 'rejected' && unavailable(r.reason), String((r as PromiseRejectedResult).reason));
      assert.match((results[0] as PromiseRejectedResult).reason.message, /disk is full/);
      assert.match(j.unavailableReason() ?? '', /disk is full/, '/readyz can say why');
      fs.free();
      await new Promise((r) => setTimeout(r, 200)); // housekeeping probes and clears the state
      assert.equal(j.unavailableReason(), null);
      const after = await j.append({ source: 'sg', kind: 'sendgrid', receivedAt: 9, payload: Buffer.from('after') });
      const seqs = j.nextBatch(100).map((e) => e.seq);
      assert.deepEqual(seqs, [...before, after], 'earlier entries intact, the rejected ones absent');
    } finally {
      await j.close();
    }
  });
});

test('I/O error on the disk (writeback and fsync fail): appends reject 503, and succeed again once the disk is back', { skip }, async () => {
  await withLoopExt4(async (fs) => {
    const j = openJournal({ dir: fs.dir, groupCommitMs: 2 });
    try {
      const ok = await j.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: Buffer.from('ok') });
      fs.breakDisk();
      const results = await Promise.allSettled(appendMany(j, 5, 10_000));
      for (const r of results) assert.ok(r.status === 'rejected' && unavailable(r.reason), `expected a 503 rejection, got ${r.status}`);
      assert.match((results[0] as PromiseRejectedResult).reason.details.sqliteCode, /^SQLITE_IOERR/);
      fs.repairDisk();
      const again = await j.append({ source: 'sg', kind: 'sendgrid', receivedAt: 2, payload: Buffer.from('again') });
      assert.ok(again > ok);
      assert.ok(j.nextBatch(100).some((e) => e.seq === ok));
    } finally {
      await j.close();
    }
  });
});

test('read-only filesystem at start: openJournal refuses with SP_JOURNAL_UNAVAILABLE naming the path', { skip }, async () => {
  const t = tempDir();
  try {
    await openJournal({ dir: t.dir }).close();
    await withReadOnly(t.dir, () => {
      assert.throws(() => openJournal({ dir: t.dir }), (e: { code: string; message: string }) => unavailable(e as never) && e.message.includes(t.dir));
    });
  } finally {
    await t.cleanup();
  }
});
