import type { FunnelStage } from './facts.js';
import type { ActivityDim, ActivityCount, SealedLink } from './types.js';
import type { RangeQuery } from './activity-store.js';

/** What the activity worker is started with. */
export interface ActivityWorkerInit {
  dataDir: string;
  minuteRetentionDays: number;
  retentionDays: number;
}

/** Events by type per step: `points` steps of `stepMs` from `from`. */
export type SeriesQuery = RangeQuery & { stepMs: number; points: number };
/** Totals of one dimension, the largest `limit`. */
export type TotalsQuery = RangeQuery & { limit: number };
/** The funnel per category: `stages` says which (source, event type) is which stage (facts.ts funnelStageTypes). */
export type FunnelQuery = TotalsQuery & { stages: { source: string; type: string; stage: FunnelStage }[] };

/**
 * Requests to the activity worker. It owns activity.db, so neither writes nor queries run on the ingest
 * thread, and every query is answered there in full (summed by SQL, sorted, cut to its limit): what comes
 * back to the ingest thread is the answer, never the rows it was summed from.
 */
export type ActivityRequest =
  | { op: 'add'; counts: ActivityCount[]; links: SealedLink[] }
  | { op: 'series'; q: SeriesQuery }
  | { op: 'totals'; dim: ActivityDim; q: TotalsQuery }
  | { op: 'funnel'; q: FunnelQuery }
  | { op: 'topLinks'; q: TotalsQuery }
  | { op: 'prune' };

/** One line of the events-by-type chart: `counts[i]` is step i. */
export type SeriesLine = { source: string; type: string; counts: number[]; total: number };
export type TotalRow = { source: string; type: string; key: string; n: number };
export type FunnelRow = { category: string } & Record<FunnelStage, number>;
/** Largest first (processed, then delivered, open, click, then the category's name); `truncated`: more categories than `limit`. */
export type FunnelAnswer = { categories: FunnelRow[]; truncated: boolean };
/** A clicked link by its keyed reference; `sealed` null when its sealed copy is gone. */
export type TopLink = { ref: string; source: string; clicks: number; sealed: { policyVersion: number; sections: Record<string, string> } | null };
