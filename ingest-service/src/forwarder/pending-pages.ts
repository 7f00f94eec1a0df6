import type { BacklogPort, NextBatchOptions } from '../journal/index.js';
import type { PendingEntry } from '../journal/types.js';

/** Pending entries by position, as buildBatch walks them (an array is one). */
export interface PendingEntries {
  at(i: number): PendingEntry | undefined;
}

/** What one round may read: the same limits as one nextBatch call. */
export interface PendingPagesOptions {
  maxEntries: number;
  maxBytes: number;
  excludeSources: readonly string[];
  afterSeq?: number;
  /** Entries in the first page (default 32); each further page is twice the last. */
  firstPage?: number;
}

/**
 * The entries of one forwarding round, read from the journal a page at a time as buildBatch reaches them, instead
 * of all `maxEntries` up front: a batch is full after `batchEvents` records, often a small part of that (20 entries
 * of 100 events out of 256), and reading an entry's payload is most of what reading it costs. Together the pages
 * hold what `nextBatch(maxEntries, { maxBytes, excludeSources, afterSeq })` would return (the first entry always,
 * then entries while they fit in maxBytes), except that a later page also sees entries committed after the first
 * was read — later in seq order than everything before them, as if the round had started a moment later.
 */
export function pendingPages(journal: Pick<BacklogPort, 'nextBatch'>, opts: PendingPagesOptions): PendingEntries {
  const loaded: PendingEntry[] = [];
  let bytes = 0;
  let page = Math.max(1, opts.firstPage ?? 32);
  let done = opts.maxEntries < 1;

  const readPage = (): void => {
    const want = Math.min(page, opts.maxEntries - loaded.length);
    const first = loaded.length === 0;
    const last = loaded[loaded.length - 1];
    const o: NextBatchOptions = {
      excludeSources: opts.excludeSources,
      maxBytes: first ? opts.maxBytes : opts.maxBytes - bytes,
      afterSeq: last ? last.seq : (opts.afterSeq ?? 0),
    };
    const got = journal.nextBatch(want, o);
    // nextBatch always returns its first entry; past the round's first page it belongs only if it fits.
    const fits = first || (got.length > 0 && bytes + got[0]!.size <= opts.maxBytes);
    if (fits) {
      for (const e of got) {
        loaded.push(e);
        bytes += e.size;
      }
    }
    // Fewer than asked: the backlog or the byte budget ended there.
    done = !fits || got.length < want || loaded.length >= opts.maxEntries;
    page *= 2;
  };

  return {
    at(i) {
      while (i >= loaded.length && !done) readPage();
      return loaded[i];
    },
  };
}
