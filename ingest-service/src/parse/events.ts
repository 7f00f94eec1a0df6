import { isPlainObject } from './json-body.js';
import type { ParseResult, Reject } from './types.js';

/** The fields every audit event carries; anything else is type-specific detail, kept as is. */
export const AUDIT_COMMON_FIELDS = ['id', 'type', 'time', 'actor', 'subject'] as const;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const MAX_ID_LENGTH = 256;

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/**
 * Audit events from our own systems: one JSON object or an array of them. Common fields id (uuid or
 * any string, or an integer), type, time (ISO 8601 with a zone), actor and subject (a string or an
 * object); every other field is open-ended detail kept untouched, so a new event type needs no code
 * change. An event missing common fields, or with malformed ones, is rejected naming the fields only.
 */
export function parseEvents(value: unknown, body: Buffer): ParseResult {
  const result: ParseResult = { events: [], rejects: [] };
  const single = isPlainObject(value);
  if (!single && !Array.isArray(value)) {
    result.rejects.push({ index: null, reason: 'not_an_object', raw: body });
    return result;
  }
  const items: unknown[] = single ? [value] : (value as unknown[]);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const index = single ? null : i;
    const raw = (): Buffer => (single ? body : Buffer.from(JSON.stringify(item) ?? 'null', 'utf8'));
    if (!isPlainObject(item)) {
      result.rejects.push({ index, reason: 'not_an_object', raw: raw() });
      continue;
    }
    const missing = AUDIT_COMMON_FIELDS.filter((f) => !present(item[f]));
    if (missing.length > 0) {
      result.rejects.push({ index, reason: 'missing_fields', fields: missing, raw: raw() });
      continue;
    }
    const invalid: string[] = [];
    const rawId = item['id'];
    const id = typeof rawId === 'string' ? rawId : typeof rawId === 'number' && Number.isSafeInteger(rawId) ? String(rawId) : undefined;
    if (id === undefined || id.length > MAX_ID_LENGTH) invalid.push('id');
    const type = item['type'];
    if (typeof type !== 'string') invalid.push('type');
    const time = item['time'];
    const ms = typeof time === 'string' && ISO_8601.test(time) ? Date.parse(time) : NaN;
    if (Number.isNaN(ms)) invalid.push('time');
    for (const f of ['actor', 'subject'] as const) {
      const v = item[f];
      if (typeof v !== 'string' && !isPlainObject(v)) invalid.push(f);
    }
    if (invalid.length > 0) {
      const reject: Reject = { index, reason: 'invalid_fields', fields: invalid, raw: raw() };
      result.rejects.push(reject);
      continue;
    }
    result.events.push({ id: id!, type: type as string, time: new Date(ms).toISOString(), body: item });
  }
  return result;
}
