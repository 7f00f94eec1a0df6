import { derivedEventId } from './event-id.js';
import { isPlainObject } from './json-body.js';
import type { ParseResult } from './types.js';

/** SES event types whose detail object is not named after the type. */
const DETAIL_KEY: Record<string, string> = { 'Rendering Failure': 'failure', RenderingFailure: 'failure' };

function isoOrUndefined(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * When the SES event happened: the event's own timestamp (bounce.timestamp, delivery.timestamp...),
 * else when the mail was sent (mail.timestamp), else when SNS published it, else the receive time.
 */
export function sesEventTime(event: Record<string, unknown>, type: string, snsTimestamp: unknown, receivedAt: Date): string {
  const key = DETAIL_KEY[type] ?? type.charAt(0).toLowerCase() + type.slice(1);
  const detail = event[key];
  const mail = event['mail'];
  return (
    (isPlainObject(detail) ? isoOrUndefined(detail['timestamp']) : undefined) ??
    (isPlainObject(mail) ? isoOrUndefined(mail['timestamp']) : undefined) ??
    isoOrUndefined(snsTimestamp) ??
    receivedAt.toISOString()
  );
}

function sesEvent(event: Record<string, unknown>, id: string, snsTimestamp: unknown, body: Buffer, receivedAt: Date): ParseResult {
  const type = event['eventType'] ?? event['notificationType'];
  if (typeof type !== 'string' || type === '') {
    return { events: [], rejects: [{ index: null, reason: 'missing_fields', fields: ['eventType'], raw: body }] };
  }
  return { events: [{ id, type, time: sesEventTime(event, type, snsTimestamp, receivedAt), body: event }], rejects: [] };
}

/**
 * An SNS HTTP(S) body carrying an SES event: the SNS Notification's `Message` is the SES event as a
 * JSON string (parsed here, the body's second and last parse); its id is the SNS MessageId, which SNS
 * keeps across retries. With raw message delivery the body is the SES event itself (id derived from
 * it). Subscription and unsubscribe confirmations carry no event: nothing, and nothing rejected.
 */
export function parseSns(value: unknown, body: Buffer, receivedAt: Date, idKey?: Buffer): ParseResult {
  if (!isPlainObject(value)) return { events: [], rejects: [{ index: null, reason: 'not_an_object', raw: body }] };
  const snsType = value['Type'];
  if (snsType === undefined && (value['eventType'] !== undefined || value['notificationType'] !== undefined)) {
    return sesEvent(value, derivedEventId(value, idKey), undefined, body, receivedAt);
  }
  if (snsType === 'SubscriptionConfirmation' || snsType === 'UnsubscribeConfirmation') return { events: [], rejects: [] };
  if (snsType !== 'Notification') return { events: [], rejects: [{ index: null, reason: 'unexpected_sns_type', raw: body }] };
  const message = value['Message'];
  const messageId = value['MessageId'];
  const missing = [typeof message === 'string' ? undefined : 'Message', typeof messageId === 'string' && messageId !== '' ? undefined : 'MessageId'].filter(
    (f): f is string => f !== undefined,
  );
  if (missing.length > 0) return { events: [], rejects: [{ index: null, reason: 'missing_fields', fields: missing, raw: body }] };
  let event: unknown;
  try {
    event = JSON.parse(message as string);
  } catch {
    return { events: [], rejects: [{ index: null, reason: 'invalid_json', fields: ['Message'], raw: body }] };
  }
  if (!isPlainObject(event)) return { events: [], rejects: [{ index: null, reason: 'not_an_object', fields: ['Message'], raw: body }] };
  return sesEvent(event, messageId as string, value['Timestamp'], body, receivedAt);
}
