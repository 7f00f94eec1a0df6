/**
 * The envelope is the one Kafka record value Sealpost writes per event. It is the contract between
 * the ingest service, the console and every department consumer, in any language: plain JSON (UTF-8),
 * a clear part anyone with topic access may read, and one sealed section per department, each a
 * standard AWS Encryption SDK message (base64) that the stock `decrypt()` of any ESDK opens.
 */

/** The kinds of sender Sealpost accepts from. */
export const SOURCE_KINDS = ['sendgrid', 'sns', 'events'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Value of the `schema` field and of the `sealpost-schema` record header. */
export const ENVELOPE_SCHEMA = 'sealpost.envelope/1';

/**
 * Version 2 adds `keys`: the departments whose section is sealed under a subject key (crypto-shredding,
 * shared/subject-keys). Readers accept both; a v2 envelope without `keys` opens exactly like a v1 one.
 */
export const ENVELOPE_SCHEMA_V2 = 'sealpost.envelope/2';
export const ENVELOPE_SCHEMAS = [ENVELOPE_SCHEMA, ENVELOPE_SCHEMA_V2] as const;

export interface Envelope {
  schema: (typeof ENVELOPE_SCHEMAS)[number];
  /** Provider event id (sg_event_id, SNS MessageId, audit id); derived from the body hash when absent. */
  id: string;
  /** Configured source id the event came through. */
  source: string;
  kind: SourceKind;
  /** Event type: SendGrid `event`, SES `eventType`/`notificationType`, audit `type`. */
  type: string;
  /** Event time (ISO 8601), as the provider stated it, else the receive time. */
  time: string;
  /** When the service journaled the request (ISO 8601). */
  receivedAt: string;
  /** Version of the sealing policy this record was sealed under. */
  policyVersion: number;
  /** Blind index (keyed HMAC, base64url) of the recipient address; absent when the event has none. */
  recipient?: string;
  /** Fields anyone with topic access may read. */
  clear: Record<string, unknown>;
  /** Department name -> base64 AWS Encryption SDK message whose plaintext is a SectionPlaintext. */
  sections: Record<string, string>;
  /**
   * v2 only: department -> id of the subject key its section is sealed under (see shared/subject-keys).
   * A department absent here has its section sealed under the department's key directly, as in v1.
   */
  keys?: Record<string, string>;
}

/**
 * What a sealed section holds once decrypted. `id` binds the section to its event, because the
 * encryption context is kept low-cardinality (no event id) so that cached data keys are reused:
 * a reader must check `id === envelope.id` to stop a section being moved between records.
 */
export interface SectionPlaintext {
  id: string;
  department: string;
  /** Dotted field path -> value, for the personal fields this department may read. */
  fields: Record<string, unknown>;
}

/** Kafka record header names. */
export const HEADERS = {
  schema: 'sealpost-schema',
  source: 'sealpost-source',
  departments: 'sealpost-departments',
  policyVersion: 'sealpost-policy-version',
  type: 'sealpost-type',
} as const;

/** Encryption-context keys every sealed section carries; values are low-cardinality on purpose. */
export const CONTEXT_KEYS = {
  department: 'sealpost:department',
  source: 'sealpost:source',
  policyVersion: 'sealpost:policy-version',
} as const;

/** The encryption context a section of `department` from `source` under `policyVersion` must carry. */
export function sectionContext(department: string, source: string, policyVersion: number): Record<string, string> {
  return {
    [CONTEXT_KEYS.department]: department,
    [CONTEXT_KEYS.source]: source,
    [CONTEXT_KEYS.policyVersion]: String(policyVersion),
  };
}
