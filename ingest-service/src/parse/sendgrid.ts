import { derivedEventId } from './event-id.js';
import { isPlainObject } from './json-body.js';
import type { ParsedEvent, ParseResult } from './types.js';

/** Beyond this, a SendGrid `timestamp` is in milliseconds (some Single Send events), not seconds. */
const MS_THRESHOLD = 1e11;

/** SendGrid's `timestamp` (unix seconds; milliseconds in some events; number or digit string) as ISO. */
export function sendgridTime(ts: unknown, receivedAt: Date): string {
  const n = typeof ts === 'number' ? ts : typeof ts === 'string' && /^\d+(?:\.\d+)?$/.test(ts) ? Number(ts) : NaN;
  if (!Number.isFinite(n) || n <= 0) return receivedAt.toISOString();
  const d = new Date(n >= MS_THRESHOLD ? n : n * 1000);
  return Number.isNaN(d.getTime()) ? receivedAt.toISOString() : d.toISOString();
}

/**
 * A SendGrid Event Webhook body: a JSON array of event objects (a single object is taken as a batch of
 * one). Each element's body is kept as parsed: `category` string or array, custom args at the top
 * level and unknown fields pass through untouched. Elements that are not objects or have no `event`
 * become rejects with their index; the rest of the batch still goes through.
 */
export function parseSendgrid(value: unknown, body: Buffer, receivedAt: Date, idKey?: Buffer): ParseResult {
  const result: ParseResult = { events: [], rejects: [] };
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (isPlainObject(value)) items = [value];
  else {
    result.rejects.push({ index: null, reason: 'not_an_array', raw: body });
    return result;
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isPlainObject(item)) {
      result.rejects.push({ index: i, reason: 'not_an_object', raw: Buffer.from(JSON.stringify(item) ?? 'null', 'utf8') });
      continue;
    }
    const type = item['event'];
    if (typeof type !== 'string' || type === '') {
      result.rejects.push({ index: i, reason: 'missing_fields', fields: ['event'], raw: Buffer.from(JSON.stringify(item), 'utf8') });
      continue;
    }
    const sgId = item['sg_event_id'];
    const event: ParsedEvent = {
      id: typeof sgId === 'string' && sgId !== '' ? sgId : derivedEventId(item, idKey),
      type,
      time: sendgridTime(item['timestamp'], receivedAt),
      body: item,
    };
    result.events.push(event);
  }
  return result;
}
