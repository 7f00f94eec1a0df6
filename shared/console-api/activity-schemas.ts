import { z } from 'zod';
import { adminSchemas } from '../admin-api/index.js';
import { offsetString, profileId, topicName } from './schemas.js';
import { serviceTargetArgs } from './service-schemas.js';

/**
 * Arguments of the Activity page's channels (docs/activity.md). Counts come from one service's admin API
 * (the query schemas are the admin API's own, plus the service they target); clicked URLs are opened in
 * main with the profile the operator views as; the per-recipient timeline reads the topic through the
 * blind index, as the Messages page's recipient search does.
 */

/** Events by type, funnel, bounce classes and deferral reasons of one service, in one call. */
export const activityOverviewArgs = adminSchemas.activitySeriesQuery.extend(serviceTargetArgs.shape);

/** The most clicked links, their URLs opened with `profile` where it may. */
export const activityLinksArgs = adminSchemas.activityTotalsQuery.extend({ ...serviceTargetArgs.shape, profile: profileId });

export const timelineArgs = z.strictObject({
  topic: topicName,
  /** The address; main turns it into the blind index and never sends it back. */
  address: z.string().trim().min(3).max(320),
  /** Who opens the sections (and unwraps the blind-index key); omitted: the saved profile, else local keys. */
  profile: profileId.optional(),
  /** The person's newest events at most. */
  limit: z.number().int().min(1).max(2_000).default(300),
  /** Records of the partition read at most in this call; `before` continues further back. */
  budget: z.number().int().min(1_000).max(20_000_000).default(2_000_000),
  /** And for about this long at most (one call never holds the panel longer; `before` continues). */
  maxMs: z.number().int().min(100).max(60_000).default(3_000),
  /** Continue an earlier search below this offset (its `nextBefore`). */
  before: offsetString.optional(),
});
