import type BetterSqlite3 from 'better-sqlite3';
import type { RangeQuery } from './activity-store.js';
import type { FunnelAnswer, FunnelQuery, FunnelRow, SeriesLine, SeriesQuery, TotalRow, TotalsQuery } from './protocol.js';
import type { ActivityDim } from './types.js';

const HOUR_MS = 3_600_000;

const ROW = 'source, type, key, n';

/** `SELECT <columns>` of one table, dimension and bucket range, with the optional filters. */
function select(table: 'counts_m' | 'counts_h', columns: string, dim: ActivityDim, from: number, to: number, q: RangeQuery, types?: readonly string[]) {
  let sql = `SELECT ${columns} FROM ${table} WHERE dim = ? AND bucket >= ? AND bucket < ?`;
  const args: unknown[] = [dim, from, to];
  if (q.sources?.length) {
    sql += ` AND source IN (${q.sources.map(() => '?').join(',')})`;
    args.push(...q.sources);
  }
  if (types) {
    sql += ` AND type IN (${types.map(() => '?').join(',')})`;
    args.push(...types);
  }
  return { sql, args };
}

/**
 * The rows a total over the range sums. A range read at minute resolution reads the whole hours inside it
 * from the hourly rows (written in the same transaction as the minutes, so they hold the same sums) and only
 * its ragged ends from the minutes: a 23-hour funnel sums a few thousand rows instead of ~1,400 per key.
 */
function rangeRows(dim: ActivityDim, q: RangeQuery, types?: readonly string[]): { sql: string; args: unknown[] } {
  const firstHour = Math.ceil(q.from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(q.to / HOUR_MS) * HOUR_MS;
  const parts =
    q.resolution === 'hour'
      ? [select('counts_h', ROW, dim, q.from, q.to, q, types)]
      : lastHour > firstHour
        ? [select('counts_m', ROW, dim, q.from, firstHour, q, types), select('counts_m', ROW, dim, lastHour, q.to, q, types), select('counts_h', ROW, dim, firstHour, lastHour, q, types)]
        : [select('counts_m', ROW, dim, q.from, q.to, q, types)];
  return { sql: parts.map((p) => p.sql).join(' UNION ALL '), args: parts.flatMap((p) => p.args) };
}

const byFunnel = (a: FunnelRow, b: FunnelRow): number =>
  b.processed - a.processed || b.delivered - a.delivered || b.open - a.open || b.click - a.click || a.category.localeCompare(b.category);

/**
 * The admin API's activity answers, computed where activity.db lives (the activity worker's thread): SQL
 * sums over the range, and the worker hands back the answer itself (a chart's lines, a funnel of at most
 * `limit` categories), never the rows it summed.
 */
export function createActivityQueries(db: BetterSqlite3.Database) {
  const totals = (dim: ActivityDim, q: TotalsQuery): TotalRow[] => {
    const rows = rangeRows(dim, q);
    return db
      .prepare<unknown[], TotalRow>(`SELECT source, type, key, SUM(n) AS n FROM (${rows.sql}) GROUP BY source, type, key ORDER BY n DESC, key LIMIT ?`)
      .all(...rows.args, q.limit);
  };

  return {
    /** Events by type, one line per (source, type), largest total first. */
    series(q: SeriesQuery): SeriesLine[] {
      const w = select(q.resolution === 'hour' ? 'counts_h' : 'counts_m', 'CAST((bucket - ?) / ? AS INTEGER) AS i, source, type, SUM(n) AS n', 'type', q.from, q.to, q);
      const rows = db
        .prepare<unknown[], { i: number; source: string; type: string; n: number }>(
          `${w.sql} GROUP BY i, source, type ORDER BY i`,
        )
        .all(q.from, q.stepMs, ...w.args);
      const lines = new Map<string, SeriesLine>();
      for (const r of rows) {
        const id = `${r.source}\u0000${r.type}`;
        let s = lines.get(id);
        if (!s) lines.set(id, (s = { source: r.source, type: r.type, counts: new Array<number>(q.points).fill(0), total: 0 }));
        s.counts[r.i] = (s.counts[r.i] ?? 0) + r.n;
        s.total += r.n;
      }
      return [...lines.values()].sort((a, b) => b.total - a.total);
    },
    /** Totals of one dimension over the range, largest first. */
    totals,
    /** The delivery funnel per category: each stage's events summed by SQL over the stage's (source, type) pairs. */
    funnel(q: FunnelQuery): FunnelAnswer {
      if (q.stages.length === 0) return { categories: [], truncated: false };
      const rows = rangeRows('category', q, [...new Set(q.stages.map((s) => s.type))]);
      const stageSum = (stage: string) => `SUM(CASE stage.stage WHEN '${stage}' THEN t.n ELSE 0 END) AS ${stage}`;
      const categories = db
        .prepare<unknown[], FunnelRow>(
          `WITH stage (source, type, stage) AS (VALUES ${q.stages.map(() => '(?, ?, ?)').join(', ')}),
           t AS (SELECT source, type, key, SUM(n) AS n FROM (${rows.sql}) GROUP BY source, type, key)
           SELECT t.key AS category, ${['processed', 'delivered', 'open', 'click'].map(stageSum).join(', ')}
           FROM t JOIN stage ON stage.source = t.source AND stage.type = t.type GROUP BY t.key`,
        )
        .all(...q.stages.flatMap((s) => [s.source, s.type, s.stage]), ...rows.args)
        .sort(byFunnel);
      return { categories: categories.slice(0, q.limit), truncated: categories.length > q.limit };
    },
  };
}
