import type { Database } from 'better-sqlite3';
import type { PendingEntry } from './types.js';

/** Options of nextBatch. */
export interface NextBatchOptions {
  /** Sources to leave alone (paused, or backing off). */
  excludeSources?: Iterable<string>;
  /** Stop adding entries once their clear payloads reach this many bytes (at least one entry is returned). */
  maxBytes?: number;
  /** Only entries after this seq (the forwarder prepares the next batch while the previous one is in flight). */
  afterSeq?: number;
}

/**
 * The oldest pending entries of the sources in @sources (a JSON array) after seq @after, in one statement: per
 * source, the seq of its @limit-th such entry bounds a range of the partial index (source, seq) WHERE
 * forwarded_at IS NULL (so the work is at most @limit entries a source, however long the backlog); the ranges
 * are numbered in seq order with a running total of sizes, and only the first @limit that fit in @maxBytes (the
 * first one always) are joined to their payloads. Columns are named as PendingEntry's fields.
 */
const NEXT_SQL = `
WITH bounds AS MATERIALIZED (
  SELECT s.value AS source,
         coalesce((SELECT seq FROM entries INDEXED BY entries_pending
                    WHERE source = s.value AND forwarded_at IS NULL AND seq > @after ORDER BY seq LIMIT 1 OFFSET @limit - 1),
                  9223372036854775807) AS last
    FROM json_each(@sources) s
), heads AS (
  SELECT e.seq, e.source, e.kind, e.received_at, e.size, e.redrive_of, row_number() OVER w AS n, sum(e.size) OVER w AS bytes
    FROM bounds b JOIN entries e INDEXED BY entries_pending
      ON e.source = b.source AND e.forwarded_at IS NULL AND e.seq > @after AND e.seq <= b.last
  WINDOW w AS (ORDER BY e.seq ROWS UNBOUNDED PRECEDING)
)
SELECT h.seq, h.source, h.kind, h.received_at AS receivedAt, h.size, h.redrive_of AS redriveOf, p.data AS sealed
  FROM heads h JOIN payloads p ON p.seq = h.seq
 WHERE h.n <= @limit AND (h.n = 1 OR h.bytes <= @maxBytes)`;

/**
 * The backlog: how many entries each source has pending (kept in memory, so metrics scrapes cost
 * nothing) and the oldest pending entries in seq order, read in one statement (NEXT_SQL) through the
 * partial index (source, seq) WHERE forwarded_at IS NULL.
 */
export function createPendingIndex(db: Database) {
  const counts = new Map<string, number>();
  for (const r of db.prepare<[], { source: string; n: number }>('SELECT source, count(*) AS n FROM entries WHERE forwarded_at IS NULL GROUP BY source').all()) {
    counts.set(r.source, r.n);
  }
  const oldestOf = db.prepare<[string], { received_at: number }>(
    'SELECT received_at FROM entries WHERE source = ? AND forwarded_at IS NULL ORDER BY seq LIMIT 1',
  );
  const pendingAfter = db.prepare<[{ sources: string; after: number; limit: number; maxBytes: number }], PendingEntry>(NEXT_SQL);

  return {
    add(source: string, n: number): void {
      const v = (counts.get(source) ?? 0) + n;
      if (v > 0) counts.set(source, v);
      else counts.delete(source);
    },
    counts(): Record<string, number> {
      return Object.fromEntries(counts);
    },
    total(): number {
      let t = 0;
      for (const n of counts.values()) t += n;
      return t;
    },
    oldestBySource(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const source of counts.keys()) {
        const r = oldestOf.get(source);
        if (r) out[source] = r.received_at;
      }
      return out;
    },
    next(limit: number, opts: NextBatchOptions = {}): PendingEntry[] {
      if (limit < 1) return [];
      const excluded = new Set(opts.excludeSources ?? []);
      const sources = [...counts.keys()].filter((s) => !excluded.has(s));
      if (sources.length === 0) return [];
      const rows = pendingAfter.all({
        sources: JSON.stringify(sources),
        after: opts.afterSeq ?? 0,
        limit,
        maxBytes: Math.min(opts.maxBytes ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
      });
      // Already in seq order as the window numbered them; SQL does not promise it without an ORDER BY, which would
      // copy every payload through a sorter. A sorted array costs one pass.
      return rows.sort((a, b) => a.seq - b.seq);
    },
  };
}
