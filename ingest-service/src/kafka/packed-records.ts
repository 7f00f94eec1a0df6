import type { SinkRecord } from './sink.js';

/**
 * Records as they cross to the sink thread: their values copied back to back into one buffer that is moved
 * (transferred, not cloned), and the strings in tables. A structured clone of the records themselves cost the
 * sending thread ~2.5 µs and the sink thread as much again per record (an object, a headers object and a view
 * each); a batch's records share a few topics and headers objects, so those cross once each.
 */
export interface PackedRecords {
  topics: string[];
  topicOf: Uint32Array;
  keys: string[];
  headerSets: Record<string, string>[];
  headersOf: Uint32Array;
  values: ArrayBuffer;
  lengths: Uint32Array;
}

/** Packs records for the sink thread; `values` is a fresh buffer, safe to transfer (the records keep theirs, for a retry). */
export function packRecords(records: readonly SinkRecord[]): PackedRecords {
  const n = records.length;
  const topics: string[] = [];
  const topicIndex = new Map<string, number>();
  const headerSets: Record<string, string>[] = [];
  // By identity: the expand step gives the records of one schema, departments and type one headers object.
  const headerIndex = new Map<Record<string, string>, number>();
  const topicOf = new Uint32Array(n);
  const headersOf = new Uint32Array(n);
  const lengths = new Uint32Array(n);
  const keys = new Array<string>(n);
  let total = 0;
  for (const r of records) total += r.value.length;
  const values = new ArrayBuffer(total);
  const bytes = new Uint8Array(values);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    let t = topicIndex.get(r.topic);
    if (t === undefined) topicIndex.set(r.topic, (t = topics.push(r.topic) - 1));
    topicOf[i] = t;
    keys[i] = r.key;
    bytes.set(r.value, at);
    at += lengths[i] = r.value.length;
    let h = headerIndex.get(r.headers);
    if (h === undefined) headerIndex.set(r.headers, (h = headerSets.push(r.headers) - 1));
    headersOf[i] = h;
  }
  return { topics, topicOf, keys, headerSets, headersOf, values, lengths };
}

/** The records again, on the sink thread: values are views of the moved buffer, records of a header set share its object. */
export function unpackRecords(p: PackedRecords): SinkRecord[] {
  const out = new Array<SinkRecord>(p.keys.length);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    const length = p.lengths[i]!;
    out[i] = { topic: p.topics[p.topicOf[i]!]!, key: p.keys[i]!, value: Buffer.from(p.values, at, length), headers: p.headerSets[p.headersOf[i]!]! };
    at += length;
  }
  return out;
}
