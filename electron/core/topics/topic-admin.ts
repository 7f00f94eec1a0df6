import type { Admin } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import type { GroupLag, PartitionInfo, TopicPartitions } from '../../../shared/console-api/types.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { Watermarks } from '../messages/read-window.js';

/** Says when a long series of admin calls should stop issuing new ones (the console disconnected). */
export type Stopped = () => boolean;

/** Ends a series of calls the console stopped: nobody waits for its answer, and a new call would reconnect the client. */
export function stoppedError(): SealpostError {
  return new SealpostError(CONSOLE_ERRORS.notConnected, 'The console disconnected while the calls were running.', { status: 409 });
}

/**
 * Runs `fn` over `items` with at most `limit` in flight (the admin client multiplexes one connection).
 * Once `stopped()` is true no new call starts and the rest is abandoned with an error: a call issued
 * after the admin client's disconnect would reconnect it and keep the process alive.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, stopped: Stopped = () => false): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (stopped()) throw stoppedError();
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Like Promise.all for two admin calls, but waits for both to settle before failing: a call left
 * running after the other failed would keep retrying (and reconnect) after the caller gave up.
 */
export async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** Watermarks of every partition of a topic, as numbers (one ListOffsets round trip per leader). */
export async function watermarks(admin: Admin, topic: string): Promise<Watermarks> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
}

/** Leader, replicas, ISR and watermarks of every partition of a topic. */
export async function topicPartitions(admin: Admin, topic: string): Promise<TopicPartitions> {
  const [{ topics }, wm] = await settleBoth(admin.fetchTopicMetadata({ topics: [topic] }), watermarks(admin, topic));
  const meta = topics[0]?.partitions ?? [];
  const partitions: PartitionInfo[] = meta
    .map((p) => {
      const w = wm.get(p.partitionId) ?? { low: 0, high: 0 };
      return {
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        underReplicated: p.isr.length < p.replicas.length,
        low: String(w.low),
        high: String(w.high),
        records: w.high - w.low,
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return { topic, partitions };
}

/**
 * Consumer groups that committed offsets on `topic`, with lag per partition (high watermark minus
 * committed offset; the whole partition when the group committed nothing there). Every group of the
 * cluster is asked (Kafka cannot list groups by topic, and kafkajs fetches one group's offsets per
 * call): a cap on how many are asked would silently hide the groups past it on a busy cluster.
 */
export async function groupLag(admin: Admin, topic: string, stopped?: Stopped): Promise<GroupLag[]> {
  const [{ groups }, wm] = await settleBoth(admin.listGroups(), watermarks(admin, topic));
  const ids = groups.filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
  const committed = await mapLimit(ids, 16, async (groupId) => {
    const res = await admin.fetchOffsets({ groupId, topics: [topic] });
    return res.find((t) => t.topic === topic)?.partitions ?? [];
  }, stopped);
  const consuming = ids.map((groupId, i) => ({ groupId, partitions: committed[i]! })).filter((g) => g.partitions.some((p) => Number(p.offset) >= 0));
  if (consuming.length === 0) return [];
  const described = await admin.describeGroups(consuming.map((g) => g.groupId));
  const info = new Map(described.groups.map((g) => [g.groupId, g]));
  return consuming
    .map(({ groupId, partitions }) => {
      const byPartition = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
      const rows = [...wm]
        .sort(([a], [b]) => a - b)
        .map(([partition, { low, high }]) => {
          const c = byPartition.get(partition);
          const has = c !== undefined && c >= 0;
          return { partition, committed: has ? String(c) : null, high: String(high), lag: has ? Math.max(0, high - c) : high - low };
        });
      const g = info.get(groupId);
      return {
        groupId,
        state: g?.state ?? 'Unknown',
        members: g?.members.length ?? 0,
        totalLag: rows.reduce((s, r) => s + r.lag, 0),
        partitions: rows,
      };
    })
    .sort((a, b) => b.totalLag - a.totalLag);
}

/** Per partition, the first offset at or after `ts` (high watermark when nothing is that recent). */
export async function offsetsAt(admin: Admin, topic: string, ts: number): Promise<Map<number, number>> {
  const [entries, wm] = await settleBoth(admin.fetchTopicOffsetsByTimestamp(topic, ts), watermarks(admin, topic));
  return new Map(entries.map((e) => [e.partition, Number(e.offset) >= 0 ? Number(e.offset) : (wm.get(e.partition)?.high ?? 0)]));
}
