/**
 * What the Activity page's channels answer. Counts are the admin API's answers as they are; a clicked URL
 * reaches the renderer only opened (with the operator's identity) or as the reason it stays locked; the
 * timeline carries blind indexes and opened fields, never the address searched for.
 */
import type { ActivityBreakdownResponse, ActivityFunnelResponse, ActivitySeriesResponse } from '../admin-api/types.js';
import type { MessageRow, SectionView } from './types.js';

export type { ActivityBreakdownResponse, ActivityFunnelResponse, ActivitySeriesResponse } from '../admin-api/types.js';

export interface ActivityOverview {
  series: ActivitySeriesResponse;
  funnel: ActivityFunnelResponse;
  bounces: ActivityBreakdownResponse;
  deferrals: ActivityBreakdownResponse;
}

export interface ActivityLinkView {
  /** Keyed reference of the URL (stable, not the URL). */
  ref: string;
  source: string;
  clicks: number;
  /** The URL, when the identity opened one of its sections. */
  url: string | null;
  /** Why it stays locked (no section this identity can open, no department granted the URL, copy gone). */
  locked: { code: string; message: string } | null;
  /** Departments whose section holds the URL. */
  departments: string[];
}

export interface ActivityLinks {
  /** Who opened them (caller ARN, or local keys). */
  identity: string;
  from: number;
  to: number;
  links: ActivityLinkView[];
}

export interface TimelineEvent {
  row: MessageRow;
  /** Department -> opened fields, or why it stays locked. */
  sections: Record<string, SectionView>;
}

export interface Timeline {
  topic: string;
  /** Blind index of the address (the Kafka key of that person's events). */
  recipient: string;
  /** The partition the key maps to: only this one is read (a person's events all land there). */
  partition: number;
  /** Records read, and records the partition holds. */
  scanned: number;
  partitionRecords: number;
  /** True when the partition was read down to its start; else `nextBefore` continues. */
  complete: boolean;
  nextBefore: string | null;
  identity: string;
  /** Oldest first. */
  events: TimelineEvent[];
  /** Where the person's suppression state is looked up (see docs/activity.md). */
  suppression: { recipient: string; available: boolean; note: string };
}
