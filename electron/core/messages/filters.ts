import { HEADERS } from '../../../shared/envelope/index.js';
import type { z } from 'zod';
import type { filtersSchema } from '../../../shared/console-api/schemas.js';
import { decodeRecord, eventTime, parseEnvelope, type DecodedRecord } from './decode-row.js';
import type { RawRecord } from '../kafka/raw-fetch.js';

/** Filters as the contract parses them. */
export type Filters = z.output<typeof filtersSchema>;

/** Decides per record, on the clear part only; returns the decoded record when it matches. */
export type RecordFilter = (partition: number, raw: RawRecord) => DecodedRecord | null;

/** False only when the record has header `name` and it equals none of `allowed` (a record without it is decided on its body). */
function headerIn(raw: RawRecord, name: string, allowed: readonly Buffer[]): boolean {
  const h = raw.headers[name];
  const b = Array.isArray(h) ? h[0] : h;
  if (b === undefined) return true;
  for (const a of allowed) if (b.equals(a)) return true;
  return false;
}

/** True when no filter is set (a plain window). */
export function isEmptyFilter(f: Filters | undefined): boolean {
  if (!f) return true;
  return !(f.types?.length || f.sources?.length || f.categories?.length || f.partitions?.length || f.timeFrom !== undefined || f.timeTo !== undefined || f.recipient);
}

/**
 * Compiles filters into one predicate over raw records. Runs before any decryption, on the clear
 * part only: type and source are first checked on the record headers and the recipient's blind
 * index on the raw bytes, so most records are rejected without parsing their JSON; the blind index
 * is computed once here from the address (the address itself is never kept or returned).
 */
export function compileFilter(filters: Filters | undefined, blindIndex: ((address: string) => string) | null): RecordFilter {
  const f = filters ?? {};
  const types = f.types?.length ? new Set(f.types) : null;
  const sources = f.sources?.length ? new Set(f.sources) : null;
  // Headers are compared as bytes: no string per record for the common case (most records fail here).
  const typeBytes = types ? [...types].map((t) => Buffer.from(t, 'utf8')) : null;
  const sourceBytes = sources ? [...sources].map((t) => Buffer.from(t, 'utf8')) : null;
  const categories = f.categories?.length ? new Set(f.categories) : null;
  const partitions = f.partitions?.length ? new Set(f.partitions) : null;
  const recipient = f.recipient && blindIndex ? blindIndex(f.recipient) : null;
  // A blind index is base64url: if a record's recipient equals it, these bytes are in the value as they
  // are, however the JSON is laid out. Records without them are rejected without being parsed.
  const recipientBytes = recipient ? Buffer.from(recipient, 'utf8') : null;
  const { timeFrom, timeTo } = f;
  const needsBody = categories || recipient || timeFrom !== undefined || timeTo !== undefined;
  return (partition, raw) => {
    if (partitions && !partitions.has(partition)) return null;
    if (typeBytes && !headerIn(raw, HEADERS.type, typeBytes)) return null;
    if (sourceBytes && !headerIn(raw, HEADERS.source, sourceBytes)) return null;
    if (recipientBytes && (!raw.value || raw.value.indexOf(recipientBytes) === -1)) return null;
    const parsed = parseEnvelope(raw.value);
    const env = parsed.envelope;
    if (!env) return types || sources || needsBody ? null : decodeRecord(partition, raw, parsed);
    if (types && !types.has(env.type)) return null;
    if (sources && !sources.has(env.source)) return null;
    if (recipient && env.recipient !== recipient) return null;
    if (categories) {
      const c = env.clear.category;
      const list = Array.isArray(c) ? c : [c];
      if (!list.some((x) => typeof x === 'string' && categories.has(x))) return null;
    }
    if (timeFrom !== undefined || timeTo !== undefined) {
      const t = eventTime(env, Number(raw.timestamp));
      if (timeFrom !== undefined && t < timeFrom) return null;
      if (timeTo !== undefined && t > timeTo) return null;
    }
    return decodeRecord(partition, raw, parsed);
  };
}
