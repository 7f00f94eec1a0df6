import { z } from 'zod';
import { adminSchemas } from '../admin-api/index.js';
import { serviceTargetArgs } from './service-schemas.js';

/**
 * Argument schemas of the Suppressions page's channels. The renderer names an address to search for;
 * main turns it into the blind index with the viewing identity's key, so only the index reaches the
 * service. Where the admin API has a schema it is reused, so nothing the service would refuse gets through.
 */

/** An AWS profile id or `local` (whose identity opens the sealed addresses). */
const profile = z.string().min(1).max(160).optional();

export const suppressionListArgs = serviceTargetArgs.extend({
  /** Search: the address (normalised like the blind index); never sent to the service. */
  address: z.string().trim().min(3).max(512).optional(),
  reason: adminSchemas.suppressionListQuery.shape.reason,
  /** False includes entries whose every reason was lifted. */
  active: z.boolean().default(true),
  limit: z.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(300).optional(),
  profile,
});
export const suppressionCountsArgs = adminSchemas.suppressionCountsQuery.extend(serviceTargetArgs.shape);
export const suppressionRemoveArgs = adminSchemas.suppressionRemoveRequest.extend(serviceTargetArgs.shape);
export const suppressionExportArgs = serviceTargetArgs.extend({ profile });
