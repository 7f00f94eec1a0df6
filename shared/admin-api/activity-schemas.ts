import { z } from 'zod';
import { count, epochMs, qInt, sourceId } from './schema-primitives.js';

/**
 * Email activity (docs/activity.md): counts of forwarded events the service keeps per minute and per
 * hour. Everything here is a number or a label (type, category, bounce class, SMTP status class); a
 * clicked URL travels only sealed, named by its keyed reference.
 */

/** ISO time or epoch ms. */
const when = z.union([z.iso.datetime({ offset: true }), qInt(0, 8_640_000_000_000)]);

const range = {
  /** Inclusive; aligned down to the step (or to the minute / hour the answer reads). */
  from: when,
  /** Exclusive; aligned up. */
  to: when,
  /** Only this source (all sendgrid and sns sources when absent). */
  source: sourceId.optional(),
};

export const activitySeriesQuery = z.strictObject({
  ...range,
  /** Seconds per point, a multiple of 60; whole hours read the hourly rows. Absent: about 120 points. */
  step: qInt(60, 7 * 86_400)
    .refine((s) => s % 60 === 0, 'the step is a whole number of minutes (seconds, multiple of 60)')
    .optional(),
});
export const activityTotalsQuery = z.strictObject({ ...range, limit: qInt(1, 500).default(50) });

/** The range an answer covers, after alignment, and which rows it read. */
const answered = {
  from: epochMs,
  to: epochMs,
  resolution: z.enum(['minute', 'hour']),
};

export const activitySeriesResponse = z.strictObject({
  ...answered,
  stepSeconds: z.number().int().min(60),
  /** Points per series: bucket i starts at from + i * stepSeconds. */
  points: count,
  series: z.array(z.strictObject({ source: z.string(), type: z.string(), counts: z.array(count), total: count })),
});

export const funnelRow = z.strictObject({
  /** A category as the policy leaves it clear, `(none)` for events without one. */
  category: z.string(),
  processed: count,
  delivered: count,
  open: count,
  click: count,
});
export const activityFunnelResponse = z.strictObject({
  ...answered,
  /** Largest first (by processed, then delivered, open, click). Counts are events, not unique messages. */
  categories: z.array(funnelRow),
  truncated: z.boolean(),
});

export const activityBreakdownResponse = z.strictObject({
  ...answered,
  /** `class`: a bounce class (`bounce/Invalid Address`, `Permanent/General`, a drop reason) or a deferral class (`421 4.7.0`, `MailboxFull`). */
  rows: z.array(z.strictObject({ source: z.string(), type: z.string(), class: z.string(), count })),
});

export const sealedLinkView = z.strictObject({
  policyVersion: z.number().int().min(1),
  /** Department -> base64 ESDK message of `{"id": "link:<ref>", "department", "fields": {"url" | "click.link": ...}}`. */
  sections: z.record(z.string(), z.string()),
});
export const activityLinksResponse = z.strictObject({
  ...answered,
  links: z.array(
    z.strictObject({
      /** Keyed hash of the URL (the same URL always has the same ref). */
      ref: z.string(),
      source: z.string(),
      clicks: count,
      /** Null when the URL was counted but its sealed copy is gone (pruned, or written by an instance that crashed before flushing). */
      sealed: sealedLinkView.nullable(),
    }),
  ),
});
