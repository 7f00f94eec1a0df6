import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NextBatchOptions } from '../../../ingest-service/src/journal/index.js';
import { openTemp } from './temp-journal.js';

interface Appended {
  seq: number;
  source: string;
  size: number;
}

/** The rule nextBatch follows, written plainly: pending entries of the other sources after afterSeq, in seq order, up to limit, within maxBytes (the first always). */
function expected(all: readonly Appended[], done: ReadonlySet<number>, limit: number, o: NextBatchOptions): number[] {
  const excluded = new Set(o.excludeSources ?? []);
  const out: number[] = [];
  let bytes = 0;
  for (const e of [...all].sort((a, b) => a.seq - b.seq)) {
    if (done.has(e.seq) || excluded.has(e.source) || e.seq <= (o.afterSeq ?? 0)) continue;
    if (out.length >= limit || (out.length > 0 && bytes + e.size > (o.maxBytes ?? Infinity))) break;
    out.push(e.seq);
    bytes += e.size;
  }
  return out;
}

test('nextBatch: every combination of excludeSources, afterSeq, limit and maxBytes over interleaved sources', async () => {
  const t = openTemp();
  try {
    // Source a has a long run first (more than any limit below), then the three interleave with varied sizes.
    const plan = [...Array.from({ length: 12 }, () => 'a'), ...Array.from({ length: 18 }, (_, i) => ['b', 'a', 'c'][i % 3]!)];
    const all: Appended[] = [];
    for (const [i, source] of plan.entries()) {
      const size = [100, 40, 300, 10, 0][i % 5]!;
      all.push({ seq: await t.journal.append({ source, kind: 'events', receivedAt: i, payload: Buffer.alloc(size, i) }), source, size });
    }
    // Some entries are forwarded already (from each source, at the start and in the middle).
    const done = new Set([all[0]!.seq, all[1]!.seq, all[13]!.seq, all[14]!.seq, all[20]!.seq]);
    await t.journal.complete([...done]);

    const seqs = all.map((e) => e.seq);
    let cases = 0;
    for (const excludeSources of [[], ['a'], ['b', 'c'], ['a', 'b', 'c'], ['nope']]) {
      for (const afterSeq of [undefined, 0, seqs[5]!, seqs[13]!, seqs[29]!]) {
        for (const limit of [1, 2, 5, 8, 100]) {
          for (const maxBytes of [undefined, 0, 99, 100, 150, 450, 1_000_000]) {
            const o: NextBatchOptions = { excludeSources, ...(afterSeq !== undefined ? { afterSeq } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}) };
            const got = t.journal.nextBatch(limit, o);
            assert.deepEqual(got.map((e) => e.seq), expected(all, done, limit, o), JSON.stringify({ limit, ...o }));
            cases++;
          }
        }
      }
    }
    assert.equal(cases, 875);
  } finally {
    await t.cleanup();
  }
});

test('nextBatch returns each entry whole: source, kind, time, size, redrive and the sealed payload', async () => {
  const t = openTemp();
  try {
    const a = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1234, payload: Buffer.from('first') });
    const b = await t.journal.append({ source: 'ev', kind: 'events', receivedAt: 1235, payload: Buffer.from('second!') });
    const got = t.journal.nextBatch(10);
    assert.deepEqual(
      got.map(({ sealed, ...rest }) => ({ ...rest, sealed: Buffer.isBuffer(sealed) })),
      [
        { seq: a, source: 'sg', kind: 'sendgrid', receivedAt: 1234, size: 5, redriveOf: null, sealed: true },
        { seq: b, source: 'ev', kind: 'events', receivedAt: 1235, size: 7, redriveOf: null, sealed: true },
      ],
    );
    assert.deepEqual(got.map((e) => t.journal.decryptPayload(e).toString()), ['first', 'second!']);
    assert.deepEqual(t.journal.nextBatch(0), []);
  } finally {
    await t.cleanup();
  }
});
