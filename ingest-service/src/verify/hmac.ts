import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from './errors.js';
import { checkFreshness, parseUnixSeconds } from './freshness.js';
import { singleHeader, type RequestHeaders } from './headers.js';

/** Header names of Sealpost's own audit-event signature. */
export const EVENTS_SIGNATURE_HEADER = 'X-Sealpost-Signature';
export const EVENTS_TIMESTAMP_HEADER = 'X-Sealpost-Timestamp';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** True when the request carries any audit-event signature header (so the signature must be checked). */
export function hasEventsSignature(headers: RequestHeaders): boolean {
  return singleHeader(headers, EVENTS_SIGNATURE_HEADER) !== undefined || singleHeader(headers, EVENTS_TIMESTAMP_HEADER) !== undefined;
}

/** The HMAC an audit producer sends: hex HMAC-SHA256(secret, `${timestamp}.` + body bytes). */
export function eventsHmac(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
}

/**
 * Checks `X-Sealpost-Signature: sha256=<hex>` over `${X-Sealpost-Timestamp}.${body}` with a
 * constant-time comparison, then the timestamp's freshness. Throws a 401 SealpostError.
 */
export function checkEventsHmac(secret: string, headers: RequestHeaders, body: Buffer, nowMs: number, maxAgeSeconds: number): void {
  const signature = singleHeader(headers, EVENTS_SIGNATURE_HEADER);
  const timestamp = singleHeader(headers, EVENTS_TIMESTAMP_HEADER);
  if (signature === undefined || signature === '') {
    throw unauthenticated('missing_signature', `The ${EVENTS_SIGNATURE_HEADER} header is missing: send "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + body)>".`);
  }
  if (timestamp === undefined || timestamp === '') {
    throw unauthenticated('missing_timestamp', `The ${EVENTS_TIMESTAMP_HEADER} header is missing: send the unix time in seconds that was signed.`);
  }
  const seconds = parseUnixSeconds(timestamp, EVENTS_TIMESTAMP_HEADER);
  const match = SIGNATURE.exec(signature);
  if (!match) {
    throw unauthenticated('bad_signature', `The ${EVENTS_SIGNATURE_HEADER} header must be "sha256=" followed by 64 hex digits.`);
  }
  const given = Buffer.from(match[1]!, 'hex');
  const expected = eventsHmac(secret, timestamp, body);
  if (!timingSafeEqual(given, expected)) {
    throw unauthenticated('bad_signature', 'The HMAC signature does not match the body: check the shared secret and that the exact body bytes and timestamp were signed.');
  }
  checkFreshness(seconds * 1000, nowMs, maxAgeSeconds, `${EVENTS_TIMESTAMP_HEADER} timestamp`);
}
