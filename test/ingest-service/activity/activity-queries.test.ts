// The admin activity answers over many minutes x categories: the activity worker sums by SQL and hands the ingest
// thread the answer only. The numbers are the ones the admin API gave before (its old fold of per-(source, type,
// category) rows on the ingest thread, kept here as the reference), and the only message the ingest thread
// receives for a funnel is the funnel itself.
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { startActivity, type Activity } from '../../../ingest-service/src/activity/activity-service.js';
import { openActivityStore } from '../../../ingest-service/src/activity/activity-store.js';
import { funnelStage } from '../../../ingest-service/src/activity/facts.js';
import type { ActivityCount } from '../../../ingest-service/src/activity/types.js';
import type { AdminDeps } from '../../../ingest-service/src/admin/admin-deps.js';
import { activityHandlers } from '../../../ingest-service/src/admin/handlers/activity-handlers.js';
import { tempDataDir } from '../../support/ingest.js';

const MIN = 60_000;
const HOUR = 3_600_000;
/** Five hours ago, on the hour; counts start 23 minutes before it and run 200 minutes, so ranges have ragged ends. */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const FIRST = BASE - 23 * MIN;
const MINUTES = 200;
const SOURCES = [{ id: 'sendgrid', kind: 'sendgrid' }, { id: 'ses', kind: 'sns' }, { id: 'audit', kind: 'events' }] as const;
const TYPES: [string, string][] = [
  ...['processed', 'delivered', 'open', 'click', 'bounce', 'deferred'].map((t): [string, string] => ['sendgrid', t]),
  ...['Send', 'Delivery', 'Open', 'Click'].map((t): [string, string] => ['ses', t]),
];
/** 28 campaigns, and two categories with equal counts whose order differs between binary and locale order. */
const CATEGORIES = [...Array.from({ length: 28 }, (_, i) => `campaign-${i}`), 'Zeta', 'alpha'];
const nOf = (m: number, c: number, t: number) => (c >= 28 ? 2 : 1 + ((m * 7 + c * 3 + t) % 5));

function generated(): ActivityCount[] {
  const rows: ActivityCount[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const minute = FIRST + m * MIN;
    for (const [t, [source, type]] of TYPES.entries()) {
      let total = 0;
      for (const [c, key] of CATEGORIES.entries()) {
        const n = nOf(m, c, t);
        total += n;
        rows.push({ minute, source, dim: 'category', type, key, n });
      }
      rows.push({ minute, source, dim: 'type', type, key: '', n: total });
      if (type === 'bounce') rows.push({ minute, source, dim: 'bounce', type, key: m % 3 ? 'bounce/Invalid Address' : 'blocked/Reputation', n: total });
      if (type === 'deferred') rows.push({ minute, source, dim: 'deferral', type, key: `451 4.7.${m % 4}`, n: total });
    }
  }
  return rows;
}

/** What the admin API answered before: per-(source, type, category) rows summed per minute by SQL, folded here. */
function referenceFunnel(db: BetterSqlite3.Database, from: number, to: number, table: string, limit: number) {
  const rows = db
    .prepare<unknown[], { source: string; type: string; key: string; n: number }>(
      `SELECT source, type, key, SUM(n) AS n FROM ${table} WHERE dim = 'category' AND bucket >= ? AND bucket < ? GROUP BY source, type, key ORDER BY n DESC, key LIMIT 100000`,
    )
    .all(from, to);
  const kindOf = new Map<string, string>(SOURCES.map((s) => [s.id, s.kind]));
  const by = new Map<string, { processed: number; delivered: number; open: number; click: number }>();
  for (const r of rows) {
    const stage = funnelStage(kindOf.get(r.source) ?? '', r.type);
    if (!stage) continue;
    let c = by.get(r.key);
    if (!c) by.set(r.key, (c = { processed: 0, delivered: 0, open: 0, click: 0 }));
    c[stage] += r.n;
  }
  const categories = [...by.entries()]
    .map(([category, c]) => ({ category, ...c }))
    .sort((a, b) => b.processed - a.processed || b.delivered - a.delivered || b.open - a.open || b.click - a.click || a.category.localeCompare(b.category));
  return { categories: categories.slice(0, limit), truncated: categories.length > limit, rowsFolded: rows.length };
}

/** Events of one dimension summed from the generated rows, by key, over [from, to). */
function expectedBy(rows: ActivityCount[], dim: string, from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.dim === dim && r.minute >= from && r.minute < to) out[r.key || r.type] = (out[r.key || r.type] ?? 0) + r.n;
  return out;
}

describe('activity answers are summed in the activity worker', { timeout: 120_000 }, () => {
  const dataDir = tempDataDir('sp-activity-queries-');
  const rows = generated();
  const retention = { minuteRetentionDays: 7, retentionDays: 400 };
  let activity: Activity;
  let db: BetterSqlite3.Database;
  let handlers: ReturnType<typeof activityHandlers>;
  const ask = (op: keyof typeof handlers, query: Record<string, unknown>) => (handlers[op] as (req: unknown, ctx: unknown) => Promise<any>)({ query }, {});

  before(async () => {
    const store = openActivityStore({ dataDir, ...retention });
    for (let i = 0; i < rows.length; i += 5_000) store.add(rows.slice(i, i + 5_000), []);
    store.close();
    db = new BetterSqlite3(join(dataDir, 'activity.db'), { readonly: true });
    activity = await startActivity({ dataDir, activity: { enabled: true, sesCategoryTag: 'ses:configuration-set', flushMs: 1_000, ...retention } }, { info() {}, warn() {}, error() {}, debug() {} } as never);
    handlers = activityHandlers({ activity, sources: SOURCES, config: { activity: { enabled: true, ...retention } }, now: () => Date.now() } as unknown as AdminDeps);
  });
  after(async () => {
    db?.close();
    await activity?.close();
  });

  const ranges = {
    'ragged minute range over whole hours': { from: BASE - 20 * MIN, to: BASE + 3 * HOUR + 10 * MIN, table: 'counts_m' },
    'minutes inside one hour': { from: BASE + 5 * MIN, to: BASE + 50 * MIN, table: 'counts_m' },
    'hours (a range of two days)': { from: BASE - 26 * HOUR, to: BASE + 22 * HOUR, table: 'counts_h' },
  };
  for (const [name, r] of Object.entries(ranges)) {
    test(`funnel, bounces, deferrals and series answer the same numbers as before: ${name}`, async () => {
      const funnel = await ask('activityFunnel', { from: r.from, to: r.to, limit: 100 });
      const from = funnel.from as number;
      const to = funnel.to as number;
      assert.equal(funnel.resolution, r.table === 'counts_m' ? 'minute' : 'hour');
      const ref = referenceFunnel(db, from, to, r.table, 100);
      assert.ok(ref.rowsFolded >= CATEGORIES.length * 8, `the old fold read ${ref.rowsFolded} rows`);
      assert.deepEqual({ categories: funnel.categories, truncated: funnel.truncated }, { categories: ref.categories, truncated: ref.truncated });
      assert.deepEqual(funnel.categories.slice(-2).map((c: any) => c.category), ['alpha', 'Zeta'], 'ties in locale order, as before');
      const processed = expectedBy(rows.filter((x) => x.type === 'processed' || x.type === 'Send'), 'category', from, to);
      assert.deepEqual(Object.fromEntries(funnel.categories.map((c: any) => [c.category, c.processed])), processed, 'processed = what was counted');

      const top = await ask('activityFunnel', { from: r.from, to: r.to, limit: 10 });
      assert.deepEqual({ categories: top.categories, truncated: top.truncated }, { categories: ref.categories.slice(0, 10), truncated: true });

      const bounces = await ask('activityBounces', { from: r.from, to: r.to, limit: 50 });
      assert.deepEqual(Object.fromEntries(bounces.rows.map((b: any) => [b.class, b.count])), expectedBy(rows, 'bounce', from, to));
      const deferrals = await ask('activityDeferrals', { from: r.from, to: r.to, limit: 50 });
      assert.deepEqual(Object.fromEntries(deferrals.rows.map((b: any) => [b.class, b.count])), expectedBy(rows, 'deferral', from, to));
      const counts = deferrals.rows.map((b: any) => b.count);
      assert.deepEqual(counts, [...counts].sort((a: number, b: number) => b - a), 'largest first');

      const series = await ask('activitySeries', { from: r.from, to: r.to });
      assert.deepEqual(Object.fromEntries(series.series.map((s: any) => [s.type, s.total])), expectedBy(rows, 'type', series.from, series.to));
      for (const s of series.series) assert.equal(s.counts.reduce((a: number, b: number) => a + b, 0), s.total);
    });
  }

  test('the ingest thread receives the funnel answer, not the rows it is summed from', async () => {
    const received: unknown[] = [];
    const emit = Worker.prototype.emit;
    Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: unknown[]) {
      if (event === 'message' && (args[0] as { type?: string })?.type === 'answer') received.push((args[0] as { result: unknown }).result);
      return emit.call(this, event, ...args);
    } as typeof emit;
    let answer: { categories: unknown[]; truncated: boolean };
    try {
      answer = await activity.funnel({ resolution: 'minute', from: FIRST, to: FIRST + MINUTES * MIN, limit: 5, stages: [{ source: 'sendgrid', type: 'processed', stage: 'processed' }, { source: 'ses', type: 'Send', stage: 'processed' }] });
    } finally {
      Worker.prototype.emit = emit;
    }
    assert.equal(received.length, 1, 'one message');
    assert.deepEqual(received[0], answer);
    assert.equal(answer.categories.length, 5);
    assert.equal(answer.truncated, true);
    assert.ok(JSON.stringify(received[0]).length < 600, `${JSON.stringify(received[0]).length} bytes for ${MINUTES * CATEGORIES.length * 2} per-minute rows summed`);
  });
});
