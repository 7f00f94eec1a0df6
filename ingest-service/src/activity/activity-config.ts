import { z } from 'zod';

/** The `activity` section of the config (docs/activity.md). */
export const activitySchema = z.strictObject({
  /** Count forwarded sendgrid and sns events per minute (dataDir/activity.db); off: no counts, the admin routes answer 404. */
  enabled: z.boolean().default(true),
  /** SES: the `mail.tags` entry whose values are the event's category (counted only where the policy leaves it clear). */
  sesCategoryTag: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'an SES tag name').default('ses:configuration-set'),
  /** Counts are written to disk this often (a crash loses at most this much counting; never counts twice). */
  flushMs: z.number().int().min(100).max(60_000).default(1_000),
  /** Per-minute rows are kept this many days; hourly rows `retentionDays`. */
  minuteRetentionDays: z.number().int().min(1).max(366).default(7),
  retentionDays: z.number().int().min(1).max(3660).default(400),
});
export type ActivityConfig = z.infer<typeof activitySchema>;
export const ACTIVITY_DEFAULTS: ActivityConfig = { enabled: true, sesCategoryTag: 'ses:configuration-set', flushMs: 1_000, minuteRetentionDays: 7, retentionDays: 400 };
