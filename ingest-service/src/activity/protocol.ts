import type { ActivityDim, ActivityCount, SealedLink } from './types.js';
import type { RangeQuery } from './activity-store.js';

/** What the activity worker is started with. */
export interface ActivityWorkerInit {
  dataDir: string;
  minuteRetentionDays: number;
  retentionDays: number;
}

/** Requests to the activity worker (it owns activity.db, so neither writes nor queries run on the ingest thread). */
export type ActivityRequest =
  | { op: 'add'; counts: ActivityCount[]; links: SealedLink[] }
  | { op: 'series'; q: RangeQuery & { stepMs: number } }
  | { op: 'totals'; dim: ActivityDim; q: RangeQuery & { limit: number } }
  | { op: 'links'; refs: string[] }
  | { op: 'prune' };

export type SeriesRow = { i: number; source: string; type: string; n: number };
export type TotalRow = { source: string; type: string; key: string; n: number };
