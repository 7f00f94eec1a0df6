import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { SealpostError } from '../../../shared/errors/index.js';
import { prepareOwnerOnlyDatabase } from '../../../shared/secret-files/index.js';
import { createActivityQueries } from './activity-queries.js';
import { createAdmission } from './admission.js';
import type { TopLink, TotalsQuery } from './protocol.js';
import type { ActivityCount, SealedLink } from './types.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Which rows a query reads: per-minute rows, or hourly rows when the range and step are whole hours. */
export type Resolution = 'minute' | 'hour';

export interface RangeQuery {
  resolution: Resolution;
  /** Epoch ms, inclusive / exclusive, aligned to the resolution. */
  from: number;
  to: number;
  /** Only these sources (all when absent or empty). */
  sources?: string[];
}

const SCHEMA = ['counts_m', 'counts_h']
  .map(
    (t) => `CREATE TABLE IF NOT EXISTS ${t} (
  dim TEXT NOT NULL, bucket INTEGER NOT NULL, source TEXT NOT NULL, type TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (dim, bucket, source, type, key)) WITHOUT ROWID;`,
  )
  .join('\n')
  .concat(`
CREATE TABLE IF NOT EXISTS links (ref TEXT PRIMARY KEY, source TEXT NOT NULL, policy_version INTEGER NOT NULL, sections TEXT NOT NULL) WITHOUT ROWID;`);

/**
 * The email activity counts: `<dataDir>/activity.db` (owner-only, like the journal), one row per
 * (dimension, minute, source, type, key) and the same summed per hour, so a chart of a month reads
 * hours, not minutes. Counts are numbers and labels only (see activity/facts.ts); clicked URLs are kept
 * by their keyed reference with the URL sealed for the departments the policy grants it. What a sender
 * chooses (types, categories, URLs) is bounded per source and hour (activity/admission.ts).
 */
export function openActivityStore(opts: { dataDir: string; minuteRetentionDays: number; retentionDays: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const path = join(opts.dataDir, 'activity.db');
  let db: BetterSqlite3.Database;
  try {
    prepareOwnerOnlyDatabase(path); // 0600, and so are its -wal and -shm
    db = new BetterSqlite3(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    // A crash may lose the last flush: counts are a view, not a record (docs/activity.md says so).
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
  } catch (err) {
    throw new SealpostError('SP_ACTIVITY_STORE_OPEN', `cannot open the activity counts ${path}: ${(err as Error).message}; check the data dir is writable`, { cause: err });
  }
  const upsert = (t: string) =>
    db.prepare(`INSERT INTO ${t} (dim, bucket, source, type, key, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dim, bucket, source, type, key) DO UPDATE SET n = n + excluded.n`);
  const upM = upsert('counts_m');
  const upH = upsert('counts_h');
  const putLink = db.prepare(
    `INSERT INTO links (ref, source, policy_version, sections) VALUES (?, ?, ?, ?)
     ON CONFLICT (ref) DO UPDATE SET source = excluded.source, policy_version = excluded.policy_version, sections = excluded.sections
     WHERE excluded.policy_version >= links.policy_version`,
  );
  const admission = createAdmission(db);
  const add = db.transaction((counts: readonly ActivityCount[], links: readonly SealedLink[]) => {
    const linkRefs = new Set<string>();
    for (const c of admission.rows(counts)) {
      upM.run(c.dim, c.minute, c.source, c.type, c.key, c.n);
      upH.run(c.dim, Math.floor(c.minute / HOUR_MS) * HOUR_MS, c.source, c.type, c.key, c.n);
      if (c.dim === 'link') linkRefs.add(c.key);
    }
    for (const l of admission.links(links, linkRefs)) putLink.run(l.ref, l.source, l.policyVersion, JSON.stringify(l.sections));
  });

  const queries = createActivityQueries(db);

  /** The sealed URLs of these references (those the store has). */
  const links = (refs: readonly string[]): SealedLink[] => {
    if (refs.length === 0) return [];
    const rows = db
      .prepare<unknown[], { ref: string; source: string; policy_version: number; sections: string }>(
        `SELECT ref, source, policy_version, sections FROM links WHERE ref IN (${refs.map(() => '?').join(',')})`,
      )
      .all(...refs);
    return rows.map((r) => ({ ref: r.ref, source: r.source, policyVersion: r.policy_version, sections: JSON.parse(r.sections) as Record<string, string> }));
  };

  return {
    add(counts: readonly ActivityCount[], sealed: readonly SealedLink[]): void {
      add(counts, sealed);
    },
    ...queries,
    links,
    /** The most clicked links over the range, each with its sealed URL. */
    topLinks(q: TotalsQuery): TopLink[] {
      const rows = queries.totals('link', q);
      const sealed = new Map(links([...new Set(rows.map((r) => r.key))]).map((l) => [l.ref, l]));
      return rows.map((r) => {
        const s = sealed.get(r.key);
        return { ref: r.key, source: r.source, clicks: r.n, sealed: s ? { policyVersion: s.policyVersion, sections: s.sections } : null };
      });
    },
    /** Drops rows past their retention (and sealed URLs no hourly row counts any more). */
    prune(): { minuteRows: number; hourRows: number } {
      const t = now();
      const m = db.prepare('DELETE FROM counts_m WHERE bucket < ?').run(t - opts.minuteRetentionDays * DAY_MS).changes;
      const h = db.prepare('DELETE FROM counts_h WHERE bucket < ?').run(t - opts.retentionDays * DAY_MS).changes;
      if (h > 0) db.exec(`DELETE FROM links WHERE ref NOT IN (SELECT key FROM counts_h WHERE dim = 'link')`);
      return { minuteRows: m, hourRows: h };
    },
    close(): void {
      if (db.open) db.close();
    },
  };
}

export type ActivityStore = ReturnType<typeof openActivityStore>;
