import { SealpostError } from '../../../shared/errors/index.js';
import { CONSOLE_ERRORS } from '../errors.js';
import { readRanges, type PartitionRange, type RawCluster, type RawRecord } from '../kafka/raw-fetch.js';
import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

const copy = (b: Buffer): Buffer => Buffer.from(b);

/**
 * A copy of a record that owns its bytes. Why: kafkajs decodes a fetch response into Buffer views
 * of the whole response (up to tens of MB); keeping one 2 KB record would keep its response alive,
 * and a cache of 10,000 such records could hold gigabytes.
 */
export function detach(raw: RawRecord): RawRecord {
  const headers: RawRecord['headers'] = {};
  for (const [name, v] of Object.entries(raw.headers)) headers[name] = Array.isArray(v) ? v.map(copy) : v === undefined ? undefined : copy(v);
  return { offset: raw.offset, timestamp: raw.timestamp, key: raw.key ? copy(raw.key) : null, value: raw.value ? copy(raw.value) : null, headers };
}

/**
 * The raw records behind rows the renderer recently received, so that the detail pane and
 * decryption need no second trip to Kafka. Bounded (LRU by insertion/use); a miss re-reads the
 * record by offset, which is cheap, so the bound costs latency, never correctness.
 */
export function createRecordCache(maxEntries = 10_000) {
  const entries = new Map<string, RawRecord>();
  const evictOldestEntry = oldestEvictor(entries);
  const keyOf = (topic: string, id: string): string => `${topic}\u0000${id}`;

  const put = (topic: string, id: string, raw: RawRecord): void => {
    const k = keyOf(topic, id);
    entries.delete(k);
    entries.set(k, detach(raw));
    while (entries.size > maxEntries) evictOldestEntry();
  };

  return {
    put,
    size: (): number => entries.size,
    clear: (): void => entries.clear(),

    /** The records for `ids` ("partition:offset"), from the cache or read again from Kafka; order kept. */
    async get(cluster: RawCluster, topic: string, ids: readonly string[]): Promise<Map<string, RawRecord>> {
      const found = new Map<string, RawRecord>();
      const missing = new Map<number, number[]>();
      for (const id of ids) {
        const hit = entries.get(keyOf(topic, id));
        if (hit) {
          found.set(id, hit);
          continue;
        }
        const [p, o] = id.split(':');
        const list = missing.get(Number(p)) ?? [];
        list.push(Number(o));
        missing.set(Number(p), list);
      }
      if (missing.size) {
        const ranges: PartitionRange[] = [];
        for (const [partition, offsets] of missing) {
          offsets.sort((a, b) => a - b);
          // Nearby offsets share one range; far-apart ones get their own, so nothing large is read.
          let start = offsets[0]!;
          let prev = start;
          for (const o of offsets.slice(1)) {
            if (o - prev > 200) {
              ranges.push({ partition, from: start, to: prev + 1 });
              start = o;
            }
            prev = o;
          }
          ranges.push({ partition, from: start, to: prev + 1 });
        }
        const wanted = new Set(ids);
        for await (const { partition, records } of readRanges(cluster, topic, ranges, { maxBytesPerPartition: 1024 * 1024 })) {
          for (const raw of records) {
            const id = `${partition}:${raw.offset}`;
            if (!wanted.has(id)) continue;
            found.set(id, raw);
            put(topic, id, raw);
          }
        }
      }
      return found;
    },
  };
}

export type RecordCache = ReturnType<typeof createRecordCache>;

/** The error for a row that is no longer in the topic (retention deleted it). */
export function rowGone(id: string): SealpostError {
  return new SealpostError(CONSOLE_ERRORS.rowNotFound, `Record ${id} is no longer in the topic (retention or compaction removed it). Refresh the view.`, {
    status: 404,
  });
}
