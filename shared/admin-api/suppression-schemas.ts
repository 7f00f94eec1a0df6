import { z } from 'zod';
import { count, qInt } from './schema-primitives.js';

/**
 * The suppression list on the admin API: list and search (by blind index: the console hashes the
 * address with the operator's key, the address never travels), counts by reason over time, removal
 * with a reason, export. Entries carry the address only sealed, for the console to open with the
 * operator's identity.
 */

/** A blind index (base64url of 16 bytes: 22 characters). */
export const blindIndexValue = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a blind index is base64url (the console computes it from the address)');
const reasonName = z.string().regex(/^[a-z_]{1,40}$/);

export const suppressionReasonView = z.strictObject({
  active: z.boolean(),
  /** When the current suppression for this reason began (null while lifted). */
  since: z.string().nullable(),
  /** Latest stop and lift (event times), and who lifted. */
  lastAt: z.string().nullable(),
  liftedAt: z.string().nullable(),
  liftedBy: z.enum(['group_resubscribe', 'admin']).nullable(),
  source: z.string(),
  eventId: z.string(),
});

export const suppressionEntry = z.strictObject({
  /** Record key: the blind index, or `<index>/group/<id>`. */
  key: z.string(),
  subject: z.string(),
  group: z.number().int().nullable(),
  /** Active reasons, sorted; empty once every reason was lifted. */
  reasons: z.array(z.string()),
  since: z.string().nullable(),
  updatedAt: z.string(),
  detail: z.record(z.string(), suppressionReasonView),
  source: z.string(),
  eventId: z.string(),
  policyVersion: z.number().int(),
  /** The id bound inside the sealed sections (check it when opening). */
  sealedId: z.string(),
  /** The source the sections were sealed for (their encryption context). */
  sealedSource: z.string(),
  /** Department -> ESDK message (base64) of `{ fields: { address } }`. */
  sections: z.record(z.string(), z.string()),
  /** Department -> subject key id its section is sealed under (subject keys on; as an envelope v2's `keys`). */
  keys: z.record(z.string(), z.string()).optional(),
});

export const suppressionListQuery = z.strictObject({
  /** Entries of one address: its blind index. */
  subject: blindIndexValue.optional(),
  /** Only entries with this active reason. */
  reason: reasonName.optional(),
  /** `false` includes entries whose every reason was lifted. */
  active: z.enum(['true', 'false']).default('true'),
  limit: qInt(1, 1000).default(100),
  cursor: z.string().max(300).optional(),
});
export const suppressionListResponse = z.strictObject({
  entries: z.array(suppressionEntry),
  next: z.string().nullable(),
  /** Entries on the list (an active reason) in the view, and whether it has read its topic to the end. */
  total: count,
  ready: z.boolean(),
});

export const suppressionCountsQuery = z.strictObject({
  /** ISO or epoch ms; default 30 days ago. */
  from: z.union([z.iso.datetime({ offset: true }), qInt(0, 8_640_000_000_000)]).optional(),
  to: z.union([z.iso.datetime({ offset: true }), qInt(0, 8_640_000_000_000)]).optional(),
  bucket: z.enum(['hour', 'day', 'week']).default('day'),
});
export const suppressionCountsResponse = z.strictObject({
  bucket: z.enum(['hour', 'day', 'week']),
  from: z.string(),
  to: z.string(),
  /** Active suppressions by the time their reason began. */
  series: z.array(z.strictObject({ start: z.string(), reason: z.string(), count })),
  /** Active suppressions per reason, all time. */
  totals: z.record(z.string(), count),
});

export const suppressionRemoveRequest = z.strictObject({
  subject: blindIndexValue,
  group: z.number().int().min(0).optional(),
  /** Why (free text, kept sealed in the audit trail, never indexed). */
  reason: z.string().trim().min(3).max(500),
});
export const suppressionRemoveResponse = z.strictObject({ entry: suppressionEntry });

export const suppressionExportResponse = z.strictObject({
  exportedAt: z.string(),
  entries: z.array(suppressionEntry),
  /** True when the list held more than the export's limit (100,000). */
  truncated: z.boolean(),
});
