import { randomUUID } from 'node:crypto';
import type { IngestPort } from '../journal/index.js';
import type { LogLike } from '../journal/types.js';
import type { AuditIndex } from './audit-index.js';

/** Prefix of every audit event type the admin API writes. */
export const AUDIT_TYPE_PREFIX = 'sealpost.admin.';

export interface AuditInput {
  /** `drain`, `pause`, `discard`, `login`, `decrypt`... becomes type `sealpost.admin.<action>`. */
  action: string;
  /** Caller ARN (or `local-admin`). Sealed in Kafka, encrypted in the index. */
  actor: string;
  /** Object reference (`source/sendgrid`, `dead-letter/12`); never a personal value. */
  target: string;
  outcome: 'success' | 'failure' | 'denied';
  /** Clear, non-personal details: indexed and searchable. */
  details?: Record<string, unknown>;
  /** Free text an operator typed (a discard reason): sealed in Kafka, never indexed. */
  note?: string;
  /** Who wrote it: the service itself, or the console reporting its own decryptions and exports. */
  reporter?: 'sealpost-admin' | 'sealpost-console';
}

/** Writes audit events; see createAuditTrail. */
export interface AuditTrail {
  /** Journals the event (durable when it resolves), then indexes it. */
  record(input: AuditInput): Promise<{ id: string; type: string }>;
  readonly sourceId: string;
}

/**
 * The audit trail: each event is one journal entry of the internal `events` source, so it is sealed
 * by the policy's `events` rule, produced by the same forwarder, and waits in the journal (encrypted)
 * while Kafka is away, exactly like an event posted by any audit producer. Its shape is the audit
 * event contract of ingest-service/src/parse/events.ts: id, type, time, actor, subject + details.
 */
export function createAuditTrail(deps: { journal: Pick<IngestPort, 'append'>; index: AuditIndex; sourceId: string; log: LogLike; now?: () => number }): AuditTrail {
  const now = deps.now ?? Date.now;
  return {
    sourceId: deps.sourceId,
    async record(input) {
      const id = randomUUID();
      const at = now();
      const type = `${AUDIT_TYPE_PREFIX}${input.action}`;
      const event = {
        id,
        type,
        time: new Date(at).toISOString(),
        source: input.reporter ?? 'sealpost-admin',
        outcome: input.outcome,
        actor: input.actor,
        subject: input.target,
        action: input.action,
        details: input.details ?? {},
        ...(input.note ? { note: input.note } : {}),
      };
      await deps.journal.append({ source: deps.sourceId, kind: 'events', receivedAt: at, payload: Buffer.from(JSON.stringify(event), 'utf8') });
      try {
        deps.index.insert({ id, time: at, type, action: input.action, actor: input.actor, target: input.target, outcome: input.outcome, details: input.details ?? {} });
      } catch (err) {
        // The journal (then Kafka) holds the event; only the local query index missed it.
        deps.log.error({ code: 'SP_AUDIT_INDEX_WRITE', auditId: id, err: (err as Error).message }, 'audit event journaled but not indexed; it is in the audit topic');
      }
      return { id, type };
    },
  };
}
