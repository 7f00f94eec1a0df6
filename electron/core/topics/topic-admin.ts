import type { Admin } from 'kafkajs';
import type { GroupLag, PartitionInfo, TopicPartitions, TopicSummary } from '../../../shared/console-api/types.js';
import type { RawCluster } from '../kafka/raw-fetch.js';
import type { Watermarks } from '../messages/read-window.js';

/** Says when a long series of admin calls should stop issuing new ones (the console disconnected). */
export type Stopped = () => boolean;

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
      if (stopped()) throw new Error('disconnected while the calls were running');
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

/** Topics asked per pair of bulk ListOffsets requests (one per leader each): keeps a request well under a broker's limits. */
const OFFSETS_CHUNK = 500;

/**
 * Watermarks of many topics at once: per chunk of topics, one ListOffsets request per leader for the
 * earliest offsets and one for the latest (the admin client asks two per topic: on a cluster of 2,000
 * topics the list took 9-37 s). A chunk the broker refuses (a topic deleted meanwhile) is asked topic by
 * topic through the admin client, as before; a topic gone meanwhile then has no watermarks.
 */
export async function bulkWatermarks(admin: Admin, cluster: RawCluster, topics: readonly { topic: string; partitions: number[] }[], stopped: Stopped = () => false): Promise<Map<string, Watermarks>> {
  const out = new Map<string, Watermarks>();
  for (let i = 0; i < topics.length; i += OFFSETS_CHUNK) {
    if (stopped()) throw new Error('disconnected while the calls were running');
    const part = topics.slice(i, i + OFFSETS_CHUNK).filter((t) => t.partitions.length > 0);
    if (part.length === 0) continue;
    try {
      await cluster.addMultipleTargetTopics(part.map((t) => t.topic));
      const ask = (fromBeginning: boolean) => cluster.fetchTopicsOffset(part.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition })), fromBeginning })));
      const [low, high] = await settleBoth(ask(true), ask(false));
      const lows = new Map(low.flatMap((t) => t.partitions.map((p) => [`${t.topic}\0${p.partition}`, Number(p.offset)] as const)));
      for (const t of high) {
        const wm: Watermarks = new Map();
        for (const p of t.partitions) wm.set(p.partition, { low: lows.get(`${t.topic}\0${p.partition}`) ?? 0, high: Number(p.offset) });
        out.set(t.topic, wm);
      }
    } catch {
      // A topic gone meanwhile has no watermarks (no records), rather than failing the whole list.
      const each = await mapLimit(part, 8, (t) => watermarks(admin, t.topic).catch((): Watermarks => new Map()), stopped);
      part.forEach((t, k) => out.set(t.topic, each[k]!));
    }
  }
  return out;
}

/** Topics with partition counts and record counts (sum of high - low over partitions). */
export async function listTopics(admin: Admin, cluster: RawCluster, includeInternal: boolean, stopped?: Stopped): Promise<TopicSummary[]> {
  const names = (await admin.listTopics()).filter((n) => includeInternal || !n.startsWith('__')).sort();
  if (names.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const meta = new Map(topics.map((t) => [t.name, t]));
  const wms = await bulkWatermarks(admin, cluster, names.map((topic) => ({ topic, partitions: meta.get(topic)?.partitions.map((p) => p.partitionId) ?? [] })), stopped);
  return names.map((name) => {
    const t = meta.get(name);
    let records = 0;
    for (const { low, high } of wms.get(name)?.values() ?? []) records += high - low;
    return {
      name,
      partitions: t?.partitions.length ?? 0,
      replicationFactor: t?.partitions[0]?.replicas.length ?? 0,
      records,
      internal: name.startsWith('__'),
    };
  });
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
