import type BetterSqlite3 from 'better-sqlite3';
import { OTHER } from './facts.js';
import type { ActivityCount, SealedLink } from './types.js';
import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

/** Distinct event types one source counts per hour; more are counted as `(other)`. */
export const MAX_TYPES_PER_HOUR = 100;
/** Distinct (type, category | class | link) of one dimension one source counts per hour; more are counted under `(other)`. */
export const MAX_KEYS_PER_HOUR = 1_000;
/** Sealed URLs waiting for their first counted click (they arrive when sealed, before the round that counts them). */
const MAX_STAGED_LINKS = 5_000;
/** Cached key counts per (dimension, source, hour); cleared when full (numbers only: a re-count is one small range read). */
const MAX_CACHED_COUNTS = 10_000;
const HOUR_MS = 3_600_000;

/**
 * Keeps the counts database bounded whatever a sender puts in its events: a category, an event type or a
 * clicked URL is the sender's to choose, so millions of distinct ones must not become millions of rows (nor a
 * sealed copy each). Per source and hour, the first MAX_TYPES_PER_HOUR types and the first MAX_KEYS_PER_HOUR
 * keys of each dimension are counted as themselves and the rest under `(other)`, so no count is lost; a
 * sealed URL is kept only once a click on it is counted as itself. Runs on the activity worker's thread.
 */
export function createAdmission(db: BetterSqlite3.Database) {
  const exists = db.prepare<unknown[], { one: number }>('SELECT 1 AS one FROM counts_h WHERE dim = ? AND bucket = ? AND source = ? AND type = ? AND key = ?');
  const countKeys = db.prepare<unknown[], { n: number }>('SELECT COUNT(*) AS n FROM counts_h WHERE dim = ? AND bucket = ? AND source = ?');
  const linkKept = db.prepare<unknown[], { one: number }>('SELECT 1 AS one FROM links WHERE ref = ?');
  const counted = new Map<string, number>();
  const staged = new Map<string, SealedLink>();
  const evictOldestStaged = oldestEvictor(staged);

  /** The row as it may be counted: itself when known or with room left this hour, else with `(other)` in its place. */
  const admit = (dim: string, hour: number, source: string, type: string, key: string, max: number): boolean => {
    if (exists.get(dim, hour, source, type, key)) return true;
    const id = `${dim}\u0001${source}\u0001${hour}`;
    let n = counted.get(id);
    if (n === undefined) {
      if (counted.size >= MAX_CACHED_COUNTS) counted.clear();
      n = countKeys.get(dim, hour, source)!.n;
    }
    if (n >= max) {
      counted.set(id, n);
      return false;
    }
    counted.set(id, n + 1);
    return true;
  };

  return {
    /**
     * The rows of one write as they may be counted, type rows first (a type another dimension names must be
     * one the `type` dimension counts). Call inside the transaction that writes them, one row at a time:
     * each admitted row must be in counts_h before the next is admitted.
     */
    *rows(counts: readonly ActivityCount[]): Generator<ActivityCount> {
      const ordered = [...counts.filter((c) => c.dim === 'type'), ...counts.filter((c) => c.dim !== 'type')];
      for (const c of ordered) {
        const hour = Math.floor(c.minute / HOUR_MS) * HOUR_MS;
        const type = c.type === OTHER || exists.get('type', hour, c.source, c.type, '') || (c.dim === 'type' && admit('type', hour, c.source, c.type, '', MAX_TYPES_PER_HOUR)) ? c.type : OTHER;
        if (c.dim === 'type') {
          yield { ...c, type };
          continue;
        }
        const key = c.key === OTHER || admit(c.dim, hour, c.source, type, c.key, MAX_KEYS_PER_HOUR) ? c.key : OTHER;
        yield { ...c, type, key };
      }
    },
    /** Sealed URLs to write now: those already kept (a newer policy version), or the staged copies of refs just counted. */
    links(arrived: readonly SealedLink[], countedRefs: Iterable<string>): SealedLink[] {
      const out: SealedLink[] = [];
      for (const l of arrived) {
        if (linkKept.get(l.ref)) out.push(l);
        else {
          staged.delete(l.ref);
          if (staged.size >= MAX_STAGED_LINKS) evictOldestStaged();
          staged.set(l.ref, l);
        }
      }
      for (const ref of countedRefs) {
        const l = staged.get(ref);
        if (!l) continue;
        staged.delete(ref);
        out.push(l);
      }
      return out;
    },
  };
}
