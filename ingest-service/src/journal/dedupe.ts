import type { Database } from 'better-sqlite3';
import type { Claim, Clock } from './types.js';

/**
 * Provider retries (SendGrid, SNS and our own producers all re-send on timeouts) must not become
 * duplicate Kafka records. An event id forwarded from entry A is a claim; the same id arriving in a
 * different entry B within the window is a retry and is dropped. Claims are written only when the
 * entry is completed, so an entry whose produce failed and is retried never mistakes itself for a
 * duplicate.
 */
export interface Dedupe {
  /** For each item, true when it is a duplicate: claimed by another entry within the window, or earlier in `items`. */
  findDuplicates(items: readonly Claim[]): boolean[];
  /** Records claims (inside the caller's transaction). */
  writeClaims(claims: readonly Claim[]): void;
  /** Deletes up to `limit` expired claims; returns how many. */
  pruneExpired(limit: number): number;
}

export function createDedupe(db: Database, opts: { windowSeconds: number; clock: Clock }): Dedupe {
  const windowMs = opts.windowSeconds * 1000;
  const get = db.prepare<[string, string], { seq: number; seen_at: number }>('SELECT seq, seen_at FROM claims WHERE source = ? AND event_id = ?');
  const put = db.prepare<[string, string, number, number]>(
    `INSERT INTO claims (source, event_id, seq, seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, event_id) DO UPDATE SET seq = excluded.seq, seen_at = excluded.seen_at`,
  );
  const prune = db.prepare<[number, number]>(
    `DELETE FROM claims WHERE (source, event_id) IN (SELECT source, event_id FROM claims WHERE seen_at < ? LIMIT ?)`,
  );
  const enabled = windowMs > 0;

  return {
    findDuplicates(items) {
      if (!enabled) return items.map(() => false);
      const cutoff = opts.clock.now() - windowMs;
      const seen = new Set<string>();
      return items.map((c) => {
        const k = `${c.source}\u0000${c.eventId}`;
        if (seen.has(k)) return true;
        seen.add(k);
        const row = get.get(c.source, c.eventId);
        return row !== undefined && row.seq !== c.seq && row.seen_at >= cutoff;
      });
    },
    writeClaims(claims) {
      if (!enabled || claims.length === 0) return;
      const now = opts.clock.now();
      for (const c of claims) put.run(c.source, c.eventId, c.seq, now);
    },
    pruneExpired(limit) {
      if (!enabled) return prune.run(Number.MAX_SAFE_INTEGER, limit).changes;
      return prune.run(opts.clock.now() - windowMs, limit).changes;
    },
  };
}
