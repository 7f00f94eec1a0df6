import { parseEnvelope } from '../../../shared/envelope/index.js';

/** What the index keeps of one envelope: clear facts for the queries, the envelope itself for the answer. */
export interface EventRow {
  source: string;
  id: string;
  type: string;
  /** Event time, epoch ms. */
  time: number;
  /** When the service journaled it, epoch ms (retention counts from here). */
  received: number;
  /** The envelope's blind index of its subject (recipient), or null. */
  subject: string | null;
  /** Clear scalar values by dotted path (arrays give one pair per element). */
  fields: [path: string, value: string][];
  /** Clear text the keyword search runs over: the type and every clear value. */
  text: string;
  topic: string;
  partition: number;
  offset: string;
  /** The record value as it is in Kafka: clear part plus sealed sections. */
  envelope: string;
}

const MAX_FIELDS = 200;
const MAX_VALUE = 512;
/**
 * Clear fields that are the envelope's own columns for an `events` source (the audit contract's id, type and
 * time): queried as `type` and `from`/`to`, not repeated in the fields and keyword tables. Their unique values
 * (a uuid, a timestamp) were half of the index's write cost (trigrams of every id) for nothing a search needs.
 */
const COLUMN_FIELDS = new Set(['id', 'type', 'time']);

/** Clear scalars of `clear` as (dotted path, text) pairs; nested objects are walked, arrays give one pair per scalar. */
export function clearFields(clear: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= MAX_FIELDS || v === null || v === undefined || (depth === 1 && COLUMN_FIELDS.has(path))) return;
    if (typeof v === 'string') out.push([path, v.slice(0, MAX_VALUE)]);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push([path, String(v)]);
    else if (Array.isArray(v)) for (const x of v) walk(x, path, depth + 1);
    else if (typeof v === 'object' && depth < 6) for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, depth + 1);
  };
  walk(clear, '', 0);
  return out;
}

const msOf = (iso: unknown, fallback: number): number => {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? fallback : ms;
};

/**
 * One Kafka record of an indexed topic as an index row, or null for what is not a Sealpost envelope of
 * an indexed source (a tombstone, a foreign record): skipped, never a stop. Only the clear part and the blind
 * index are read; the sealed sections are kept as they are and never opened here.
 */
export function envelopeRow(value: Buffer | null, at: { topic: string; partition: number; offset: string; timestamp: number }, indexed: ReadonlySet<string>): EventRow | null {
  const { envelope } = parseEnvelope(value);
  if (!envelope || typeof envelope.source !== 'string' || !indexed.has(envelope.source)) return null;
  const source = envelope.source;
  const fields = clearFields(envelope.clear);
  const received = msOf(envelope.receivedAt, at.timestamp);
  return {
    source,
    id: envelope.id,
    type: typeof envelope.type === 'string' ? envelope.type : '',
    time: msOf(envelope.time, received),
    received,
    subject: typeof envelope.recipient === 'string' && envelope.recipient ? envelope.recipient : null,
    fields,
    text: [envelope.type, ...fields.map(([, v]) => v)].join(' '),
    topic: at.topic,
    partition: at.partition,
    offset: at.offset,
    envelope: value!.toString('utf8'),
  };
}
