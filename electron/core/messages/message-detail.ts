import type { MessageDetail } from '../../../shared/console-api/types.js';
import type { RawRecord } from '../kafka/raw-fetch.js';
import { decodeRecord, parseEnvelope } from './decode-row.js';

/** One record as the detail pane shows it: headers as text, the envelope (sealed sections stay sealed), section sizes. */
export function messageDetail(id: string, raw: RawRecord): MessageDetail {
  const parsed = parseEnvelope(raw.value);
  const { row } = decodeRecord(Number(id.split(':')[0]), raw, parsed);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.headers)) {
    const b = Array.isArray(v) ? v[0] : v;
    if (b !== undefined) headers[k] = b.toString('utf8');
  }
  const env = parsed.envelope;
  return {
    id,
    partition: row.partition,
    offset: row.offset,
    timestamp: row.timestamp,
    key: raw.key ? raw.key.toString('utf8') : null,
    headers,
    sizeBytes: row.sizeBytes,
    envelope: env ? (env as unknown as Record<string, unknown>) : null,
    sections: env ? Object.entries(env.sections).map(([department, b64]) => ({ department, bytes: Math.floor((b64.length * 3) / 4) })) : [],
    ...(parsed.problem ? { problem: parsed.problem } : {}),
  };
}
