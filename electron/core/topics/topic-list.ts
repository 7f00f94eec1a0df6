import type { Admin } from 'kafkajs';
import type { TopicSummary } from '../../../shared/console-api/types.js';
import type { RawCluster } from '../kafka/raw-fetch.js';
import type { Watermarks } from '../messages/read-window.js';
import { mapLimit, settleBoth, stoppedError, watermarks, type Stopped } from './topic-admin.js';

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
    if (stopped()) throw stoppedError();
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
