import type { Admin } from 'kafkajs';
import type { ReplayPosition, ReplayRange } from '../../../shared/admin-api/types.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { REPLAY_ERRORS } from './errors.js';

/** One partition's work: offsets [start, end). */
export interface PartitionRange {
  partition: number;
  start: number;
  end: number;
}

const timeOf = (t: string | number): number => (typeof t === 'number' ? t : Date.parse(t));

/**
 * Turns the request's ranges (offsets or times, per partition or `all`) into offsets [start, end)
 * per partition, clamped to what the partition holds (low..high watermark). A time resolves to the
 * first record at or after it (the high watermark when there is none), as Kafka's ListOffsets does.
 */
export async function resolveRanges(admin: Admin, topic: string, ranges: readonly ReplayRange[]): Promise<PartitionRange[]> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) throw new SealpostError(REPLAY_ERRORS.topicMissing, `topic ${topic} does not exist; check the name`, { status: 404 });
  const marks = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
  const byTime = new Map<number, Map<number, number>>();
  const resolve = async (pos: ReplayPosition, partition: number): Promise<number> => {
    if ('offset' in pos) return Number(pos.offset);
    const t = timeOf(pos.time);
    let m = byTime.get(t);
    if (!m) {
      m = new Map((await admin.fetchTopicOffsetsByTimestamp(topic, t)).map((p) => [p.partition, Number(p.offset)]));
      byTime.set(t, m);
    }
    return m.get(partition) ?? marks.get(partition)!.high;
  };
  const out = new Map<number, PartitionRange>();
  for (const r of ranges) {
    const partitions = r.partition === 'all' ? [...marks.keys()].sort((a, b) => a - b) : [r.partition];
    for (const partition of partitions) {
      const mark = marks.get(partition);
      if (!mark) {
        throw new SealpostError(REPLAY_ERRORS.noSuchPartition, `topic ${topic} has no partition ${partition} (it has ${marks.size})`, { status: 400 });
      }
      if (out.has(partition)) throw new SealpostError(REPLAY_ERRORS.overlap, `partition ${partition} appears in two ranges; give one range per partition`, { status: 400 });
      const clamp = (o: number): number => Math.min(Math.max(o, mark.low), mark.high);
      const start = clamp(await resolve(r.from, partition));
      const end = clamp(await resolve(r.to, partition));
      out.set(partition, { partition, start, end: Math.max(start, end) });
    }
  }
  return [...out.values()].sort((a, b) => a.partition - b.partition);
}
