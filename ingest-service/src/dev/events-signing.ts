import { EVENTS_SIGNATURE_HEADER, EVENTS_TIMESTAMP_HEADER, eventsHmac } from '../verify/hmac.js';

/**
 * Signs an audit-event request the way producers must: `sha256=` + hex HMAC-SHA256(secret,
 * `${timestamp}.` + body bytes). Returns the X-Sealpost-Signature value.
 */
export function signEvents(secret: string, timestamp: string | number, body: Buffer | string): string {
  return `sha256=${eventsHmac(secret, String(timestamp), typeof body === 'string' ? Buffer.from(body, 'utf8') : body).toString('hex')}`;
}

/** Both audit-event signature headers for a body, timestamped `nowSeconds` (default: the current time). */
export function eventsSignedHeaders(secret: string, body: Buffer | string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(nowSeconds);
  return { [EVENTS_SIGNATURE_HEADER]: signEvents(secret, timestamp, body), [EVENTS_TIMESTAMP_HEADER]: timestamp };
}
