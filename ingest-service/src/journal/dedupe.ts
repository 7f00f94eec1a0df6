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
  /** Claims to write with complete(): none when dedupe is off (window 0). */
  claimsToWrite(claims: readonly Claim[]): Claim[];
  /** Claims seen before this time are expired (pruned by the writer). */
  expiredBefore(): number;
}

export function createDedupe(db: Database, opts: { windowSeconds: number; clock: Clock }): Dedupe {
  const windowMs = opts.windowSeconds * 1000;
  const get = db.prepare<[string, string], { seq: number; seen_at: number }>('SELECT seq, seen_at FROM claims WHERE source = ? AND event_id = ?');
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
    claimsToWrite: (claims) => (enabled ? claims.map((c) => ({ source: c.source, eventId: c.eventId, seq: c.seq })) : []),
    expiredBefore: () => (enabled ? opts.clock.now() - windowMs : Number.MAX_SAFE_INTEGER),
  };
}
