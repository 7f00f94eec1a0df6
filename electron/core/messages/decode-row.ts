import { HEADERS, parseEnvelope, type Envelope } from '../../../shared/envelope/index.js';
import type { MessageRow } from '../../../shared/console-api/types.js';
import type { RawRecord } from '../kafka/raw-fetch.js';

/** The envelope parser lives in shared/envelope (the consumer kit uses the same); re-exported for the console's modules. */
export { parseEnvelope };

/** A record decoded once: the grid row, and the envelope for filters, detail and decryption. */
export interface DecodedRecord {
  row: MessageRow;
  envelope: Envelope | null;
  raw: RawRecord;
}

/** Reads a header as text (kafkajs gives Buffers, or arrays of them for repeated headers). */
export function headerText(raw: RawRecord, name: string): string | undefined {
  const h = raw.headers[name];
  const b = Array.isArray(h) ? h[0] : h;
  return b === undefined ? undefined : b.toString('utf8');
}

function categoryOf(clear: Record<string, unknown>): string | null {
  const c = clear.category;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.filter((x) => typeof x === 'string').join(', ') || null;
  return null;
}

/** Event time in ms; the record timestamp when the envelope's is missing or unparseable. */
export function eventTime(envelope: Envelope | null, fallback: number): number {
  if (!envelope) return fallback;
  const t = Date.parse(envelope.time);
  return Number.isFinite(t) ? t : fallback;
}

/** The grid row of a record: clear part only, small on purpose (no clear object, no sections). */
export function decodeRecord(partition: number, raw: RawRecord, parsed = parseEnvelope(raw.value)): DecodedRecord {
  const { envelope, problem } = parsed;
  const timestamp = Number(raw.timestamp);
  const row: MessageRow = {
    id: `${partition}:${raw.offset}`,
    partition,
    offset: raw.offset,
    timestamp,
    eventId: envelope?.id ?? '',
    type: envelope?.type ?? headerText(raw, HEADERS.type) ?? '',
    source: envelope?.source ?? headerText(raw, HEADERS.source) ?? '',
    kind: envelope?.kind ?? '',
    time: eventTime(envelope, timestamp),
    policyVersion: envelope?.policyVersion ?? 0,
    recipient: envelope?.recipient ?? null,
    category: envelope ? categoryOf(envelope.clear) : null,
    departments: envelope ? Object.keys(envelope.sections) : [],
    sizeBytes: raw.value?.length ?? 0,
    ...(problem ? { problem } : {}),
  };
  return { row, envelope, raw };
}
