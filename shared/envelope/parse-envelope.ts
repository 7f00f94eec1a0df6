import { ENVELOPE_SCHEMA, ENVELOPE_SCHEMAS, type Envelope } from './envelope.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when every own value of `o` is a string (a loop: no closure per envelope). */
function allStrings(o: Record<string, unknown>): boolean {
  for (const k in o) if (Object.hasOwn(o, k) && typeof o[k] !== 'string') return false;
  return true;
}

/**
 * Parses a Kafka record value as an envelope, saying what is wrong instead of throwing: foreign records
 * and tombstones happen on a shared topic, and every reader (the console's grid, the consumer kit) must
 * report them, not stop on them. One copy, so the console and department consumers agree on what an
 * envelope is.
 */
export function parseEnvelope(value: Buffer | null): { envelope: Envelope | null; problem?: string } {
  if (!value || value.length === 0) return { envelope: null, problem: 'empty value (tombstone)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { envelope: null, problem: 'value is not JSON: not a Sealpost envelope' };
  }
  if (!isObject(parsed) || !(ENVELOPE_SCHEMAS as readonly unknown[]).includes(parsed.schema)) {
    return { envelope: null, problem: `value is JSON without schema "${ENVELOPE_SCHEMA}": not a Sealpost envelope` };
  }
  if (typeof parsed.id !== 'string' || !isObject(parsed.clear) || !isObject(parsed.sections)) {
    return { envelope: null, problem: 'envelope lacks id, clear or sections' };
  }
  if (parsed.keys !== undefined && (!isObject(parsed.keys) || !allStrings(parsed.keys))) {
    return { envelope: null, problem: 'envelope keys is not a map of department to key id' };
  }
  return { envelope: parsed as unknown as Envelope };
}
