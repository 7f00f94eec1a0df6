import { z } from 'zod';
import { ADMIN_PERMISSIONS, ADMIN_ROLES } from './roles.js';
import { count, epochMs, qInt, sourceId } from './schema-primitives.js';

/**
 * Request and response schemas of the admin API. The service parses every request with them and
 * the client parses every answer with them, so the two cannot drift. Nothing here carries a raw
 * event or a personal value: backlog and dead-letter views are the clear facts the journal keeps.
 */

export { auditTarget, clearDetails, offsetString, topicName } from './schema-primitives.js';
export * from './replay-schemas.js';
export * from './audit-schemas.js';
export * from './activity-schemas.js';
export * from './suppression-schemas.js';
export * from './subject-schemas.js';
export * from './event-schemas.js';

// ---------------------------------------------------------------- sign-in

/** What the console sends: the signed sts:GetCallerIdentity request, for the service to rebuild. */
export const loginRequest = z.strictObject({
  method: z.string().max(16),
  url: z.string().min(1).max(2048),
  headers: z.record(z.string().min(1).max(128), z.string().max(8192)).refine((h) => Object.keys(h).length <= 32, 'at most 32 headers'),
  /** The request body, base64. */
  body: z.string().max(4096),
});

/** The caller as the service knows it after sign-in. */
export const identityView = z.strictObject({
  /** Caller ARN as STS returned it; `local-admin` for the loopback token. */
  arn: z.string(),
  /** AWS account id, null for the local token. */
  account: z.string().nullable(),
  roles: z.array(z.enum(ADMIN_ROLES)),
});

export const sessionView = z.strictObject({
  identity: identityView,
  permissions: z.array(z.enum(ADMIN_PERMISSIONS)),
  via: z.enum(['aws', 'local-token']),
  /** ISO time the session ends (null for the local token, which does not expire). */
  expiresAt: z.string().nullable(),
  serverId: z.string().nullable(),
  /**
   * The compacted topic this service keeps subject keys in (its `subjectKeys.topic`), through which its v2 records
   * open; null when subject keys are off. A console with no keys topic of its own set follows this one.
   * Absent from services older than this field.
   */
  subjectKeysTopic: z.string().nullable().optional(),
});

export const loginResponse = sessionView.extend({
  /** Bearer token for every other request: `Authorization: Bearer <token>`. */
  token: z.string(),
});

// ---------------------------------------------------------------- status

export const sourceStatus = z.strictObject({
  id: z.string(),
  kind: z.string(),
  topic: z.string(),
  /** True for the service's own audit source. */
  internal: z.boolean(),
  /** Events per second over the status window, accepted (journaled, answered 2xx) and forwarded (acked by Kafka). */
  acceptRate: z.number(),
  forwardRate: z.number(),
  /** Totals since the service started. */
  accepted: count,
  forwarded: count,
  /** Journal entries (requests) not yet in Kafka, and the age of the oldest, in seconds. */
  pending: count,
  oldestPendingAgeSeconds: z.number().nullable(),
  paused: z.strictObject({ since: epochMs, by: z.string().nullable(), reason: z.string().nullable() }).nullable(),
});

const lastError = z.strictObject({ stage: z.string(), code: z.string(), message: z.string(), at: epochMs }).nullable();

export const statusResponse = z.strictObject({
  serverId: z.string().nullable(),
  now: epochMs,
  startedAt: epochMs,
  /** Seconds the rates are averaged over. */
  windowSeconds: z.number(),
  sources: z.array(sourceStatus),
  journal: z.strictObject({
    pendingTotal: count,
    oldestPendingAgeSeconds: z.number().nullable(),
    /** Why the journal refuses writes right now; null when it is fine. */
    unavailable: z.string().nullable(),
  }),
  deadLetters: z.strictObject({ open: count, byReason: z.record(z.string(), count) }),
  kafka: z.strictObject({
    configured: z.boolean(),
    /** True while the last produce succeeded. */
    healthy: z.boolean(),
    forwarder: z
      .strictObject({
        state: z.string(),
        forwardedEvents: count,
        duplicatesDropped: count,
        batches: count,
        consecutiveFailures: count,
        failures: z.record(z.string(), count),
        lastError,
        lastSuccessAt: epochMs.nullable(),
      })
      .nullable(),
  }),
  kms: z.strictObject({
    /** Which kinds of department keys the policy uses. */
    mode: z.enum(['local', 'kms', 'mixed']),
    /** False while the forwarder's last failure is a sealing/KMS failure (SP_SEAL_*, SP_KMS_*). */
    healthy: z.boolean(),
    lastError,
  }),
});

/** One sample every `intervalSeconds`: totals and backlog per source, for charts. */
export const historyResponse = z.strictObject({
  intervalSeconds: z.number(),
  samples: z.array(
    z.strictObject({
      at: epochMs,
      sources: z.record(z.string(), z.strictObject({ accepted: count, forwarded: count, pending: count })),
    }),
  ),
});

// ---------------------------------------------------------------- backlog and dead letters

export const backlogQuery = z.strictObject({
  source: sourceId.optional(),
  limit: qInt(1, 500).default(100),
});

export const backlogEntry = z.strictObject({
  seq: count,
  source: z.string(),
  kind: z.string(),
  receivedAt: epochMs,
  /** Payload size in bytes (the payload itself is never shown). */
  size: count,
  redriveOf: count.nullable(),
});

export const backlogResponse = z.strictObject({
  pendingTotal: count,
  pendingBySource: z.record(z.string(), count),
  /** Oldest first. */
  entries: z.array(backlogEntry),
});

export const deadLetterQuery = z.strictObject({
  state: z.enum(['open', 'redriven', 'discarded']).optional(),
  source: sourceId.optional(),
  reason: z.string().max(64).optional(),
  /** Pages backwards: newest first, ids below this one. */
  beforeId: qInt(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: qInt(1, 500).default(100),
});

export const deadLetterView = z.strictObject({
  id: count,
  seq: count,
  source: z.string(),
  kind: z.string(),
  eventIndex: count.nullable(),
  reason: z.string(),
  size: count,
  clear: z.record(z.string(), z.unknown()).nullable(),
  receivedAt: epochMs,
  createdAt: epochMs,
  state: z.enum(['open', 'redriven', 'discarded']),
  resolvedAt: epochMs.nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z.string().nullable(),
  redrivenSeq: count.nullable(),
});

export const deadLettersResponse = z.strictObject({ deadLetters: z.array(deadLetterView) });

export const drainRequest = z.strictObject({
  /** How long to wait for the backlog to empty before answering (drained: false). */
  timeoutMs: z.number().int().min(0).max(300_000).default(30_000),
});

export const drainResponse = z.strictObject({
  drained: z.boolean(),
  pendingBefore: count,
  pendingAfter: count,
  elapsedMs: count,
  /** Why forwarding is failing, when it did not drain. */
  lastError,
});

export const sourceParams = z.strictObject({ source: sourceId });
export const pauseRequest = z.strictObject({ reason: z.string().trim().max(500).optional() });
export const sourceStateResponse = z.strictObject({ source: z.string(), paused: z.boolean(), pending: count });

export const deadLetterParams = z.strictObject({ id: qInt(1, Number.MAX_SAFE_INTEGER) });
export const redriveResponse = z.strictObject({ id: count, seq: count });
export const discardRequest = z.strictObject({
  /** Why it is being thrown away; required, kept with the tombstone and in the audit trail. */
  reason: z.string().trim().min(1, 'say why the dead letter is discarded').max(1000),
});
export const discardResponse = z.strictObject({ id: count, state: z.literal('discarded') });

export const emptyObject = z.strictObject({});
