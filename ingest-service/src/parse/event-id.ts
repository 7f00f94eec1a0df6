import { createHash, createHmac } from 'node:crypto';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * An id for an event that has none, stable across provider retries: a hash of the event's canonical
 * JSON (keys sorted, no whitespace), so the same event re-sent with keys in another order dedupes.
 * Keyed (HMAC) when a key is given, so the id reveals nothing about the personal values hashed.
 */
export function derivedEventId(value: unknown, key?: Buffer): string {
  const bytes = canonical(value);
  const digest = key ? createHmac('sha256', key).update(bytes).digest() : createHash('sha256').update(bytes).digest();
  return `sp-${digest.toString('base64url')}`;
}
