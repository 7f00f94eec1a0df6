import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { TopicSummary } from '../../../shared/console-api/types.js';
import { unsafeForgetGoneTopics, type RawCluster } from '../kafka/raw-fetch.js';
import type { Watermarks } from '../messages/read-window.js';
import { mapLimit, settleBoth, stoppedError, watermarks, type Stopped } from './topic-admin.js';

/** Topics asked per pair of bulk ListOffsets requests (one per leader each): keeps a request well under a broker's limits. */
const OFFSETS_CHUNK = 500;

/** Bulk asks of one chunk, each without the topics found deleted after the one before, until it goes topic by topic. */
const BULK_ATTEMPTS = 3;

/** Pause before a chunk refused for no deletion is asked again, times the attempt (a leader elected meanwhile). */
const RETRY_PAUSE_MS = 200;

/** A topic and the ids of its partitions, as the topic list read them. */
export interface TopicPartitionIds {
  topic: string;
  partitions: number[];
}

/** Both watermarks of every partition of `part`: one ListOffsets request per leader for each end. */
async function askBulk(cluster: RawCluster, part: readonly TopicPartitionIds[]): Promise<Map<string, Watermarks>> {
  await cluster.addMultipleTargetTopics(part.map((t) => t.topic));
  const ask = (fromBeginning: boolean) => cluster.fetchTopicsOffset(part.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition })), fromBeginning })));
  const [low, high] = await settleBoth(ask(true), ask(false));
  const lows = new Map(low.flatMap((t) => t.partitions.map((p) => [`${t.topic}\0${p.partition}`, Number(p.offset)] as const)));
  const out = new Map<string, Watermarks>();
  for (const t of high) {
    const wm: Watermarks = new Map();
    for (const p of t.partitions) wm.set(p.partition, { low: lows.get(`${t.topic}\0${p.partition}`) ?? 0, high: Number(p.offset) });
    out.set(t.topic, wm);
  }
  return out;
}

/** True for what kafkajs marks retriable (a topic deleted meanwhile, a leader moved or not ready yet). */
const retriable = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;

/**
 * Before a refused chunk is asked again: the topics of `ask` that still exist, once the cluster no longer keeps
 * deleted topics among its metadata targets (a refresh naming one is refused whatever else it asks). When no
 * deletion explains the refusal, a leader moved (a broker restarted) or is not ready yet (a topic just created):
 * the cluster refreshes its metadata only when its targets change, so it is asked to, after a pause.
 */
async function recover(cluster: RawCluster, ask: readonly TopicPartitionIds[], attempt: number): Promise<TopicPartitionIds[]> {
  const { existing, forgotten } = await unsafeForgetGoneTopics(cluster);
  const left = ask.filter((t) => existing.has(t.topic));
  if (forgotten.length > 0 || left.length < ask.length) return left;
  await sleep(RETRY_PAUSE_MS * attempt);
  await cluster.refreshMetadata();
  return left;
}

/** Topic by topic through the admin client (two requests each); a topic it cannot ask has no watermarks. */
async function askEach(admin: Admin, part: readonly TopicPartitionIds[], stopped: Stopped): Promise<Map<string, Watermarks>> {
  const each = await mapLimit(part, 8, (t) => watermarks(admin, t.topic).catch((): Watermarks => new Map()), stopped);
  return new Map(part.map((t, k) => [t.topic, each[k]!]));
}

/**
 * Watermarks of one chunk: in bulk; when the broker refuses for a reason that may pass (a topic deleted meanwhile,
 * a leader moved), in bulk again without the topics deleted since, which then have none. Topic by topic only as
 * the last resort (a refusal that does not pass, such as a topic this identity may not describe, or one that
 * outlasts every attempt): that costs two requests per topic, a thousand for a chunk.
 */
async function chunkWatermarks(admin: Admin, cluster: RawCluster, part: readonly TopicPartitionIds[], stopped: Stopped): Promise<Map<string, Watermarks>> {
  let ask = part;
  for (let attempt = 1; ; attempt++) {
    try {
      return await askBulk(cluster, ask);
    } catch (err) {
      if (attempt === BULK_ATTEMPTS || !retriable(err)) break;
      if (stopped()) throw stoppedError();
      const left = await recover(cluster, ask, attempt).catch(() => null);
      if (stopped()) throw stoppedError();
      if (!left) break;
      if (left.length === 0) return new Map();
      ask = left;
    }
  }
  return askEach(admin, ask, stopped);
}

/**
 * Watermarks of many topics at once: per chunk of topics, one ListOffsets request per leader for the
 * earliest offsets and one for the latest (the admin client asks two per topic: on a cluster of 2,000
 * topics the list took 9-37 s). A topic deleted meanwhile has no watermarks (an empty map), and costs the
 * rest of its chunk one listing of the cluster's topics and one more bulk ask.
 */
export async function bulkWatermarks(admin: Admin, cluster: RawCluster, topics: readonly TopicPartitionIds[], stopped: Stopped = () => false): Promise<Map<string, Watermarks>> {
  const out = new Map<string, Watermarks>();
  for (let i = 0; i < topics.length; i += OFFSETS_CHUNK) {
    if (stopped()) throw stoppedError();
    const part = topics.slice(i, i + OFFSETS_CHUNK).filter((t) => t.partitions.length > 0);
    if (part.length === 0) continue;
    const got = await chunkWatermarks(admin, cluster, part, stopped);
    for (const t of part) out.set(t.topic, got.get(t.topic) ?? new Map());
  }
  return out;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Topics with partition counts and record counts (sum of high - low over partitions); a topic deleted while
 * they are counted stays listed, with 0 records. Names and partitions come from one metadata request: asked
 * apart, a topic deleted between the two made the second refuse, and the whole list failed.
 */
export async function listTopics(admin: Admin, cluster: RawCluster, includeInternal: boolean, stopped?: Stopped): Promise<TopicSummary[]> {
  const { topics } = await admin.fetchTopicMetadata();
  const shown = topics.filter((t) => includeInternal || !t.name.startsWith('__')).sort(byName);
  if (shown.length === 0) return [];
  const wms = await bulkWatermarks(admin, cluster, shown.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => p.partitionId) })), stopped);
  return shown.map((t) => {
    let records = 0;
    for (const { low, high } of wms.get(t.name)?.values() ?? []) records += high - low;
    return {
      name: t.name,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicas.length ?? 0,
      records,
      internal: t.name.startsWith('__'),
    };
  });
}
