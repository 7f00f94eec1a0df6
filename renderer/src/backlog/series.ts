import type { HistoryResponse } from '../../../shared/console-api/service-types.js';

/** One point of the backlog charts: rates over the interval ending at `at`, backlog at `at`. */
export interface RatePoint {
  at: number;
  /** Events accepted / forwarded per second over the interval. */
  accept: number;
  forward: number;
  /** Journal entries not yet in Kafka. */
  pending: number;
}

/**
 * Turns the service's 5-second samples of running totals into rates and backlog over time, for one
 * source or all of them. A total that went down (the service restarted) counts as 0 for that interval
 * rather than a negative rate.
 */
export function seriesFrom(history: HistoryResponse, source: string | null): RatePoint[] {
  const pick = (s: HistoryResponse['samples'][number]) => {
    const entries = Object.entries(s.sources).filter(([id]) => source === null || id === source);
    return entries.reduce((t, [, v]) => ({ accepted: t.accepted + v.accepted, forwarded: t.forwarded + v.forwarded, pending: t.pending + v.pending }), { accepted: 0, forwarded: 0, pending: 0 });
  };
  const out: RatePoint[] = [];
  for (let i = 1; i < history.samples.length; i++) {
    const a = history.samples[i - 1]!;
    const b = history.samples[i]!;
    const dt = (b.at - a.at) / 1000;
    if (dt <= 0) continue;
    const x = pick(a);
    const y = pick(b);
    out.push({ at: b.at, accept: Math.max(0, y.accepted - x.accepted) / dt, forward: Math.max(0, y.forwarded - x.forwarded) / dt, pending: y.pending });
  }
  return out;
}

/** "45 s", "3 min 20 s", "2 h 5 min": how long the oldest entry has waited. */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A rate for people: "0", "0.4", "12", "1,250" events/s. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  if (perSecond < 10) return perSecond.toFixed(1);
  return Math.round(perSecond).toLocaleString('en-US');
}
