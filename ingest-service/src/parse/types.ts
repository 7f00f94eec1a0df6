/** One provider event, ready for sealing: the id used for dedupe, its type and time, its body untouched. */
export interface ParsedEvent {
  /** Provider event id (sg_event_id, SNS MessageId, audit id), else derived from the event's canonical bytes. */
  id: string;
  /** SendGrid `event`, SES `eventType`/`notificationType`, audit `type`. */
  type: string;
  /** Event time, ISO 8601 UTC: as the provider stated it, else the receive time. */
  time: string;
  /** The event object exactly as parsed (SES: the event inside `Message`); unknown fields included. */
  body: Record<string, unknown>;
}

/** Stable labels for why (part of) a body could not become events; used as a dead-letter reason. */
export const PARSE_REASONS = [
  'empty_body',
  'invalid_utf8',
  'invalid_json',
  'not_an_array',
  'not_an_object',
  'missing_fields',
  'invalid_fields',
  'unexpected_sns_type',
] as const;
export type ParseReason = (typeof PARSE_REASONS)[number];

/** A whole body (index null) or one element of a batch (its index) that becomes a dead letter. */
export interface Reject {
  index: number | null;
  reason: ParseReason;
  /** The bytes to keep: the whole body, or the element re-serialised (the body itself is journaled too). */
  raw: Buffer;
  /** For missing_fields / invalid_fields (and invalid_json inside SNS): which fields; never their values. */
  fields?: string[];
}

/** Everything one request body turned into. events.length + rejects.length is the body's event count. */
export interface ParseResult {
  events: ParsedEvent[];
  rejects: Reject[];
}

/** Options of parsePayload. */
export interface ParseOptions {
  /**
   * Key for ids derived from event bytes (events without a provider id). With a key the derived id is
   * an HMAC, so it cannot be used to test guesses of the personal values inside the event; without
   * one it is a plain SHA-256.
   */
  idKey?: Buffer;
}
