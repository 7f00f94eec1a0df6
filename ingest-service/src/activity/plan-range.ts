import { SealpostError } from '../../../shared/errors/index.js';
import { ADMIN_ERRORS } from '../../../shared/admin-api/errors.js';
import { HOUR_MS, MINUTE_MS, type Resolution } from './activity-store.js';

/** Steps offered when the caller gives none: the smallest giving at most TARGET_POINTS points. */
const NICE_STEPS_S = [60, 300, 900, 1_800, 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600, 86_400, 7 * 86_400];
const TARGET_POINTS = 120;
const MAX_POINTS = 2_000;
const DAY_MS = 86_400_000;

const badRange = (message: string): SealpostError => new SealpostError(ADMIN_ERRORS.badRequest, message, { status: 400 });
const toMs = (v: string | number): number => (typeof v === 'number' ? v : Date.parse(v));

/**
 * Where a query reads and what range it answers: whole-hour steps (and totals over a day or more, or
 * older than the per-minute retention) read the hourly rows; the range is widened to whole steps
 * (minutes, hours) so every point is a full one and the answer says which range it covers.
 */
export function planRange(q: { from: string | number; to: string | number; step?: number | undefined }, opts: { now: number; minuteRetentionDays: number; series: boolean }) {
  const from0 = toMs(q.from);
  const to0 = toMs(q.to);
  if (!(to0 > from0)) throw badRange('`to` must be after `from`');
  let stepMs: number;
  if (opts.series) {
    stepMs = q.step !== undefined ? q.step * 1000 : NICE_STEPS_S.map((s) => s * 1000).find((s) => (to0 - from0) / s <= TARGET_POINTS) ?? 7 * DAY_MS;
  } else {
    const old = from0 < opts.now - opts.minuteRetentionDays * DAY_MS;
    stepMs = old || to0 - from0 >= DAY_MS ? HOUR_MS : MINUTE_MS;
  }
  const resolution: Resolution = stepMs % HOUR_MS === 0 ? 'hour' : 'minute';
  const from = Math.floor(from0 / stepMs) * stepMs;
  const to = Math.ceil(to0 / stepMs) * stepMs;
  const points = (to - from) / stepMs;
  if (opts.series && points > MAX_POINTS) throw badRange(`${points} points asked (at most ${MAX_POINTS}): choose a larger step or a shorter range`);
  return { from, to, stepMs, resolution, points };
}
