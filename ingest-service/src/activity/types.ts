/**
 * What email activity counts are made of. Every value here is non-personal: an event type, a category
 * the policy leaves clear, a bounce class or a deferral class (an SMTP status code, never the text), or
 * the keyed hash of a clicked URL. The expand worker makes them, the forwarder counts the ones of events
 * that reached Kafka, and the activity store keeps them per minute (activity/README in docs/activity.md).
 */

/**
 * - `type`: one per event (key is empty): events by type.
 * - `category`: one per category of the event (`(none)` without one): the funnel per category.
 * - `bounce`: bounces, blocks and drops by class; `deferral`: deferrals by SMTP status class.
 * - `link`: clicks by the keyed hash of the URL.
 */
export const ACTIVITY_DIMS = ['type', 'category', 'bounce', 'deferral', 'link'] as const;
export type ActivityDim = (typeof ACTIVITY_DIMS)[number];

/** One thing an event adds one to. */
export interface ActivityKey {
  dim: ActivityDim;
  /** The event type (SendGrid `event`, SES `eventType`). */
  type: string;
  /** The category, class or link hash; empty for `type`. */
  key: string;
}

/** A clicked URL, sealed per the policy for the departments granted it, known to the store by its keyed hash. */
export interface SealedLink {
  /** Keyed hash (HMAC) of the URL: equal for the same URL, meaningless without the service's key. */
  ref: string;
  source: string;
  policyVersion: number;
  /** Department -> base64 ESDK message of `{"id": "link:<ref>", "department", "fields": {<url path>: url}}`. */
  sections: Record<string, string>;
}

/**
 * What one journal entry's events count for, returned with its expand result (small: a few groups per
 * request). Records of the same minute with the same keys share a group, so a batch of a thousand
 * events is a handful of groups and one index per record.
 */
export interface ActivityTally {
  groups: { minute: number; keys: ActivityKey[] }[];
  /** `of[i]` is the group of the entry's records[i]. */
  of: number[];
  /** URLs first seen by this expand worker, sealed (the others were sent before). */
  links: SealedLink[];
}

/** One row of counts: `n` events of one minute (epoch ms of its start) and source for one key. */
export interface ActivityCount extends ActivityKey {
  minute: number;
  source: string;
  n: number;
}
