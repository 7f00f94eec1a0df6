import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pendingPages, type PendingPagesOptions } from '../../../ingest-service/src/forwarder/pending-pages.js';
import type { BacklogPort, PendingEntry } from '../../../ingest-service/src/journal/index.js';
import { openTemp } from '../journal/temp-journal.js';

const all = (p: { at(i: number): PendingEntry | undefined }): number[] => {
  const out: number[] = [];
  for (let i = 0; ; i++) {
    const e = p.at(i);
    if (!e) return out;
    out.push(e.seq);
  }
};

test('read page by page, a round holds exactly what one nextBatch call returns, whatever the limits', async () => {
  const t = openTemp();
  try {
    const seqs: number[] = [];
    for (let i = 0; i < 40; i++) {
      const source = i % 7 === 3 ? 'paused' : i % 2 ? 'a' : 'b';
      seqs.push(await t.journal.append({ source, kind: 'events', receivedAt: i, payload: Buffer.alloc([50, 0, 120, 10, 300][i % 5]!) }));
    }
    await t.journal.complete([seqs[0]!, seqs[9]!]);
    for (const firstPage of [1, 2, 3, 32]) {
      for (const maxEntries of [0, 1, 2, 5, 17, 256]) {
        for (const maxBytes of [0, 49, 50, 170, 171, 1000, 16 * 1024 * 1024]) {
          for (const afterSeq of [undefined, seqs[4]!, seqs[39]!]) {
            const o: PendingPagesOptions = { maxEntries, maxBytes, excludeSources: ['paused'], firstPage, ...(afterSeq !== undefined ? { afterSeq } : {}) };
            const expected = maxEntries < 1 ? [] : t.journal.nextBatch(maxEntries, { maxBytes, excludeSources: ['paused'], ...(afterSeq !== undefined ? { afterSeq } : {}) });
            assert.deepEqual(all(pendingPages(t.journal, o)), expected.map((e) => e.seq), JSON.stringify(o));
          }
        }
      }
    }
  } finally {
    await t.cleanup();
  }
});

test('entries are read only as far as asked: a page at a time, each twice the last', async () => {
  const t = openTemp();
  try {
    for (let i = 0; i < 100; i++) await t.journal.append({ source: 'sg', kind: 'events', receivedAt: i, payload: Buffer.alloc(10) });
    const reads: number[] = [];
    const journal: Pick<BacklogPort, 'nextBatch'> = {
      nextBatch: (limit, o) => {
        const got = t.journal.nextBatch(limit, o);
        reads.push(got.length);
        return got;
      },
    };
    const p = pendingPages(journal, { maxEntries: 90, maxBytes: 16 * 1024 * 1024, excludeSources: [], firstPage: 8 });
    assert.ok(p.at(0));
    assert.ok(p.at(7));
    assert.deepEqual(reads, [8]);
    assert.ok(p.at(8));
    assert.deepEqual(reads, [8, 16]);
    assert.equal(p.at(89)?.seq, (p.at(0)?.seq ?? 0) + 89);
    assert.equal(p.at(90), undefined, 'maxEntries holds across pages');
    assert.deepEqual(reads, [8, 16, 32, 34]);
  } finally {
    await t.cleanup();
  }
});
