#!/usr/bin/env node
// npm run bench:activity [-- --days 30 --categories 20 --runs 20]
// Cost of the admin email-activity answers over a full counts database: --days of per-minute rows (and their hourly
// sums) for --categories categories of a SendGrid and an SES source, written straight into activity.db; then each
// answer is asked --runs times through the admin handlers and the real activity worker. Reports the median wall time
// and the median time the main (ingest) thread was busy for one answer (event-loop utilisation), which is what an
// answer costs the thread that verifies and journals webhooks. Last line: one JSON object.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startActivity } from '../../ingest-service/src/activity/activity-service.js';
import { openActivityStore } from '../../ingest-service/src/activity/activity-store.js';
import type { AdminDeps } from '../../ingest-service/src/admin/admin-deps.js';
import { activityHandlers } from '../../ingest-service/src/admin/handlers/activity-handlers.js';
import { percentile } from './measure.js';

const { values: args } = parseArgs({ options: { days: { type: 'string', default: '30' }, categories: { type: 'string', default: '20' }, runs: { type: 'string', default: '20' } } });
const DAYS = Number(args.days);
const CATEGORIES = Number(args.categories);
const RUNS = Number(args.runs);
const HOUR = 3_600_000;
const END = Math.floor(Date.now() / HOUR) * HOUR;
const START = END - DAYS * 24 * HOUR;
const TYPES: [string, string][] = [
  ...['processed', 'delivered', 'open', 'click', 'bounce', 'deferred'].map((t): [string, string] => ['sendgrid', t]),
  ...['Send', 'Delivery', 'Open', 'Click'].map((t): [string, string] => ['ses', t]),
];

const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-activity-'));
const retention = { minuteRetentionDays: DAYS + 1, retentionDays: 400 };
openActivityStore({ dataDir, ...retention }).close(); // the schema
const t0 = performance.now();
const db = new BetterSqlite3(join(dataDir, 'activity.db'));
db.pragma('journal_mode = WAL');
db.exec('BEGIN');
db.prepare(
  `INSERT INTO counts_m (dim, bucket, source, type, key, n)
   WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < ?),
     c(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM c WHERE j < ?),
     t(source, type, k) AS (VALUES ${TYPES.map((_, k) => `(?, ?, ${k})`).join(', ')})
   SELECT 'category', ? + m.i * 60000, t.source, t.type, 'campaign-' || c.j, 1 + (m.i * 7 + c.j * 3 + t.k) % 5 FROM m, t, c`,
).run(DAYS * 1440 - 1, CATEGORIES - 1, ...TYPES.flat(), START);
db.exec(`INSERT INTO counts_m SELECT 'type', bucket, source, type, '', SUM(n) FROM counts_m WHERE dim = 'category' GROUP BY bucket, source, type`);
db.exec(`INSERT INTO counts_m SELECT 'bounce', bucket, source, type, 'bounce/Invalid Address', n FROM counts_m WHERE dim = 'type' AND type = 'bounce'`);
db.exec(`INSERT INTO counts_m SELECT 'deferral', bucket, source, type, '451 4.7.1', n FROM counts_m WHERE dim = 'type' AND type = 'deferred'`);
db.exec(`INSERT INTO counts_h SELECT dim, bucket / ${HOUR} * ${HOUR}, source, type, key, SUM(n) FROM counts_m GROUP BY dim, bucket / ${HOUR}, source, type, key`);
db.exec('COMMIT');
const rows = (db.prepare('SELECT (SELECT COUNT(*) FROM counts_m) AS m, (SELECT COUNT(*) FROM counts_h) AS h').get() as { m: number; h: number });
db.close();
console.log(`activity.db: ${rows.m} per-minute rows, ${rows.h} hourly rows (${DAYS} days x ${CATEGORIES} categories x ${TYPES.length} types), written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const log = { info() {}, warn() {}, error() {}, debug() {} };
const activity = await startActivity({ dataDir, activity: { enabled: true, sesCategoryTag: 'ses:configuration-set', flushMs: 1_000, ...retention } }, log as never);
const handlers = activityHandlers({
  activity,
  sources: [{ id: 'sendgrid', kind: 'sendgrid' }, { id: 'ses', kind: 'sns' }],
  config: { activity: { enabled: true, ...retention } },
  now: () => END,
} as unknown as AdminDeps);

const day = { from: END - 23 * HOUR, to: END };
const month = { from: START, to: END };
/** One admin answer, as the admin server asks the handler (the HTTP layer left out). */
const answer = (op: keyof typeof handlers, query: Record<string, unknown>) => () => (handlers[op] as (req: unknown, ctx: unknown) => Promise<unknown>)({ query }, {});
const asks: [string, () => Promise<unknown>][] = [
  ['funnel 23 h (minute rows)', answer('activityFunnel', { ...day, limit: 50 })],
  [`funnel ${DAYS} d (hour rows)`, answer('activityFunnel', { ...month, limit: 50 })],
  ['series 23 h (minute rows)', answer('activitySeries', day)],
  [`series ${DAYS} d (hour rows)`, answer('activitySeries', month)],
  [`bounces 23 h (minute rows)`, answer('activityBounces', { ...day, limit: 50 })],
  [`bounces ${DAYS} d`, answer('activityBounces', { ...month, limit: 50 })],
];
const results: Record<string, { wallMs: number; mainThreadMs: number; answerBytes: number }> = {};
try {
  for (const [name, ask] of asks) {
    await ask(); // warm: statements prepared, pages cached
    const wall: number[] = [];
    const busy: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const elu = performance.eventLoopUtilization();
      const t = performance.now();
      const answer = await ask();
      wall.push(performance.now() - t);
      busy.push(performance.eventLoopUtilization(elu).active);
      bytes = JSON.stringify(answer).length;
    }
    wall.sort((a, b) => a - b);
    busy.sort((a, b) => a - b);
    results[name] = { wallMs: +percentile(wall, 50).toFixed(2), mainThreadMs: +percentile(busy, 50).toFixed(2), answerBytes: bytes };
    console.log(`${name.padEnd(28)} median ${percentile(wall, 50).toFixed(2)} ms, main thread busy ${percentile(busy, 50).toFixed(2)} ms, answer ${bytes} bytes`);
  }
} finally {
  await activity.close();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(JSON.stringify({ days: DAYS, categories: CATEGORIES, runs: RUNS, minuteRows: rows.m, hourRows: rows.h, results }));
