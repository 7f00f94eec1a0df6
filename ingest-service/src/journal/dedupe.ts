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
  // A batch's ids of one source in one statement (the forwarder checks ~2,000 per batch; a statement each cost
  // more than the lookups): rows [index in the JSON array, seq, seen_at] of the ids that have a claim. CROSS JOIN
  // keeps json_each the outer loop, one primary-key probe per id (left to itself the planner scans the source's
  // claims). Matching by index, not by the id read back, keeps ids SQLite stores differently (lone surrogates) right.
  const lookup = db
    .prepare<[string, string], [number, number, number]>(
      'SELECT j.key, c.seq, c.seen_at FROM json_each(?) j CROSS JOIN claims c ON c.source = ? AND c.event_id = j.value',
    )
    .raw(true);
  const enabled = windowMs > 0;

  return {
    findDuplicates(items) {
      const dup = items.map(() => false);
      if (!enabled) return dup;
      const cutoff = opts.clock.now() - windowMs;
      // First occurrences, per source: index into items and the ids (a later occurrence is a duplicate of the first).
      const bySource = new Map<string, { seen: Set<string>; at: number[]; ids: string[] }>();
      items.forEach((c, i) => {
        let s = bySource.get(c.source);
        if (!s) bySource.set(c.source, (s = { seen: new Set(), at: [], ids: [] }));
        if (s.seen.has(c.eventId)) {
          dup[i] = true;
          return;
        }
        s.seen.add(c.eventId);
        s.at.push(i);
        s.ids.push(c.eventId);
      });
      for (const [source, s] of bySource) {
        for (const [k, seq, seenAt] of lookup.all(JSON.stringify(s.ids), source)) {
          const i = s.at[k]!;
          if (seq !== items[i]!.seq && seenAt >= cutoff) dup[i] = true;
        }
      }
      return dup;
    },
    claimsToWrite: (claims) => (enabled ? claims.map((c) => ({ source: c.source, eventId: c.eventId, seq: c.seq })) : []),
    expiredBefore: () => (enabled ? opts.clock.now() - windowMs : Number.MAX_SAFE_INTEGER),
  };
}
