import type { SourceKind } from '../../../shared/envelope/index.js';
import { parseEvents } from './events.js';
import { parseJsonBody } from './json-body.js';
import { parseSendgrid } from './sendgrid.js';
import { parseSns } from './sns.js';
import type { ParseOptions, ParseResult } from './types.js';

/**
 * Turns one authenticated request body into events and rejects, never throwing: a body that is not
 * JSON or not of the expected shape is a reject (a dead letter, kept and replayable), never an error
 * to the sender. One JSON.parse per body (two for SNS, whose Message is JSON in a string); events
 * keep the parsed objects, so nothing is re-serialised except to derive a missing id or keep a
 * rejected element.
 */
export function parsePayload(kind: SourceKind, body: Buffer, receivedAt: Date, options: ParseOptions = {}): ParseResult {
  const parsed = parseJsonBody(body);
  if (!parsed.ok) return { events: [], rejects: [{ index: null, reason: parsed.reason, raw: body }] };
  switch (kind) {
    case 'sendgrid':
      return parseSendgrid(parsed.value, body, receivedAt, options.idKey);
    case 'sns':
      return parseSns(parsed.value, body, receivedAt, options.idKey);
    case 'events':
      return parseEvents(parsed.value, body);
  }
}
