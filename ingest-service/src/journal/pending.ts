import type { Database } from 'better-sqlite3';
import type { PendingEntry } from './types.js';

interface EntryRow {
  seq: number;
  source: string;
  kind: string;
  received_at: number;
  size: number;
  redrive_of: number | null;
  data: Buffer;
}

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
 * The backlog: how many entries each source has pending (kept in memory, so metrics scrapes cost
 * nothing) and the oldest pending entries in seq order. Queries go through the partial index
 * (source, seq) WHERE forwarded_at IS NULL, one per source with pending work, merged by seq.
 */
export function createPendingIndex(db: Database) {
  const counts = new Map<string, number>();
  for (const r of db.prepare<[], { source: string; n: number }>('SELECT source, count(*) AS n FROM entries WHERE forwarded_at IS NULL GROUP BY source').all()) {
    counts.set(r.source, r.n);
  }
  const headOf = db.prepare<[string, number, number], { seq: number; size: number }>(
    'SELECT seq, size FROM entries WHERE source = ? AND forwarded_at IS NULL AND seq > ? ORDER BY seq LIMIT ?',
  );
  const oldestOf = db.prepare<[string], { received_at: number }>(
    'SELECT received_at FROM entries WHERE source = ? AND forwarded_at IS NULL ORDER BY seq LIMIT 1',
  );
  const full = db.prepare<[number], EntryRow>(
    `SELECT e.seq, e.source, e.kind, e.received_at, e.size, e.redrive_of, p.data
       FROM entries e JOIN payloads p ON p.seq = e.seq WHERE e.seq = ? AND e.forwarded_at IS NULL`,
  );

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
      const heads: { seq: number; size: number }[] = [];
      for (const source of counts.keys()) if (!excluded.has(source)) heads.push(...headOf.all(source, opts.afterSeq ?? 0, limit));
      heads.sort((a, b) => a.seq - b.seq);
      const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
      const out: PendingEntry[] = [];
      let bytes = 0;
      for (const h of heads) {
        if (out.length >= limit || (out.length > 0 && bytes + h.size > maxBytes)) break;
        const r = full.get(h.seq);
        if (!r) continue;
        bytes += r.size;
        out.push({ seq: r.seq, source: r.source, kind: r.kind, receivedAt: r.received_at, size: r.size, redriveOf: r.redrive_of, sealed: r.data });
      }
      return out;
    },
  };
}
