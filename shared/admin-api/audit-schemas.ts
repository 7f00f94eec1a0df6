import { z } from 'zod';
import { auditTarget, clearDetails, qInt } from './schema-primitives.js';

/** The audit trail: what the console reports, what readers see, and how they query it. */

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
/** What the console reports through POST /admin/v1/audit (server-side actions are recorded by the service itself). */
export const REPORTED_ACTIONS = ['decrypt', 'export', 'offset-reset'] as const;

export const auditRecordRequest = z.strictObject({
  action: z.enum(REPORTED_ACTIONS),
  target: auditTarget,
  outcome: z.enum(AUDIT_OUTCOMES),
  details: clearDetails.default({}),
});
export const auditRecordResponse = z.strictObject({ id: z.string().uuid(), type: z.string() });

export const auditActor = z.strictObject({
  /** Full caller ARN (kept encrypted in the service's index, returned to audit readers only). */
  arn: z.string(),
  account: z.string().nullable(),
  /** assumed-role, user, root, federated-user, local. */
  kind: z.string(),
  /** Role name for assumed roles, null otherwise. */
  role: z.string().nullable(),
  /** Keyed hash of the ARN: equal for the same caller, meaningless without the server's key. */
  ref: z.string(),
});

export const auditEventView = z.strictObject({
  id: z.string(),
  /** `sealpost.admin.<action>`. */
  type: z.string(),
  action: z.string(),
  time: z.string(),
  actor: auditActor,
  target: z.string(),
  outcome: z.enum(AUDIT_OUTCOMES),
  details: z.record(z.string(), z.unknown()),
});

export const auditQuery = z.strictObject({
  /** Exact caller ARN. */
  actor: z.string().max(2048).optional(),
  actorAccount: z.string().regex(/^\d{12}$/).optional(),
  actorRole: z.string().max(128).optional(),
  /** `drain`, `discard`, `decrypt`... (or a full `sealpost.admin.<action>` type). */
  action: z.string().max(128).optional(),
  /** Exact target, or a prefix ending in `*` (`source/*`). */
  target: z.string().max(300).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  /** ISO time or epoch ms, inclusive. */
  from: z.union([z.iso.datetime({ offset: true }), qInt(0, 8_640_000_000_000)]).optional(),
  /** ISO time or epoch ms, exclusive. */
  to: z.union([z.iso.datetime({ offset: true }), qInt(0, 8_640_000_000_000)]).optional(),
  /** Case-insensitive substring of the clear text: type, target, outcome, role, account, clear details. */
  keyword: z.string().min(1).max(200).optional(),
  limit: qInt(1, 1000).default(100),
  /** Cursor from the previous page's `next`. */
  cursor: z.string().max(200).optional(),
});

export const auditQueryResponse = z.strictObject({
  /** Newest first. */
  events: z.array(auditEventView),
  next: z.string().nullable(),
});
