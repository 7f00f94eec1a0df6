import { createRequire } from 'node:module';
import type { Admin, Kafka, RetryOptions } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import { CONSOLE_ERRORS } from '../errors.js';
import { recoverGoneTopics } from './gone-topics.js';

/** One record as the broker returned it (kafkajs's decoded form). */
export interface RawRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  isControlRecord?: boolean;
}

interface RawPartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  abortedTransactions?: unknown[];
  messages: RawRecord[];
}

interface RawBroker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: RawPartitionData[] }[] }>;
}

/** The part of kafkajs's internal Cluster the console uses to fetch by offset without joining a group. */
export interface RawCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  /** One ListOffsets request per leader for all the given partitions (earliest or latest). */
  fetchTopicsOffset(topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[]): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  refreshMetadata(): Promise<void>;
  /** Metadata of all the cluster's topics (no topics asked: the targets play no part, so a deleted one cannot refuse it). */
  metadata(): Promise<{ topicMetadata: { topic: string }[] }>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string | number }): Promise<RawBroker>;
  /** Topics every metadata refresh asks for; kafkajs replaces the set on a failed add, so read it afresh each time. */
  readonly targetTopics: Set<string>;
  /** The lock kafkajs holds while it changes `targetTopics` (and refreshes metadata for them). */
  readonly mutatingTargetTopics: { acquire(): Promise<void>; release(): Promise<void> };
}

const require = createRequire(import.meta.url);
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages') as (args: {
  messages: RawRecord[];
  abortedTransactions?: unknown[];
}) => RawRecord[];

const READ_COMMITTED = 1;

/** A private member of the kafkajs client (index.js `PRIVATE`), or an error saying the console needs reinstalling. */
function privateOf<T>(kafka: Kafka, description: string, kind: 'function' | 'object'): T {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === description);
  const value = sym ? (kafka as unknown as Record<symbol, unknown>)[sym] : undefined;
  if (typeof value !== kind) {
    throw new SealpostError(CONSOLE_ERRORS.kafka, 'This kafkajs version is not the one the console was built with (2.2.x); reinstall the console.');
  }
  return value as T;
}

/** kafkajs's Client[PRIVATE.CREATE_CLUSTER]: a cluster with the client's brokers, TLS, SASL, timeouts and retry. */
const createCluster = (kafka: Kafka, options: object): RawCluster => privateOf<(o: object) => RawCluster>(kafka, 'private:Kafka:createCluster', 'function')(options);

/**
 * kafkajs's internal cluster, built with the client's own brokers/TLS/SASL settings. Why: kafkajs
 * only reads through consumer groups, and joining a group costs seconds (the broker's
 * group.initial.rebalance.delay.ms is 3 s by default) — the console must show a first page in well
 * under a second, reading any offset of any partition. kafkajs 2.2.4 is frozen, and this file is
 * the only place reaching into its internals; the rest of the console uses them through RawCluster
 * (reads here, bulk watermarks in topics/topic-list.ts, the admin client's cluster in kafka/console-admin.ts;
 * tested against the real broker in test/console/core/).
 */
export function unsafeRawCluster(kafka: Kafka): RawCluster {
  return createCluster(kafka, {
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: READ_COMMITTED,
  });
}

type CreateAdmin = (o: { logger: unknown; retry: RetryOptions; cluster: RawCluster; instrumentationEmitter: unknown }) => Admin;
const createAdmin = require('kafkajs/src/admin') as CreateAdmin;
const InstrumentationEventEmitter = require('kafkajs/src/instrumentation/emitter') as new () => unknown;

/**
 * What `kafka.admin({ retry })` builds (index.js, Client#admin: same cluster options, retry merged over the client's),
 * and the cluster under it, which kafkajs keeps to itself: the console must drop deleted topics from its metadata
 * targets (unsafeForgetGoneTopics), or a topic opened then deleted fails every later admin call asking a topic.
 * Its own cluster, not the raw one: admin.fetchTopicMetadata({ topics }) replaces the cluster's metadata with those
 * topics' alone (brokerPool.refreshMetadata), which the admin's calls refresh again before use and readRanges does
 * not; and the admin's cluster options stay kafkajs's own, so what it answers (watermarks) does not change.
 */
export function unsafeAdmin(kafka: Kafka, retry: RetryOptions): { admin: Admin; cluster: RawCluster } {
  const instrumentationEmitter = new InstrumentationEventEmitter();
  const cluster = createCluster(kafka, { allowAutoTopicCreation: false, instrumentationEmitter });
  const clientRetry = privateOf<RetryOptions>(kafka, 'private:Kafka:clusterRetry', 'object');
  const admin = createAdmin({ retry: { ...clientRetry, ...retry }, logger: kafka.logger(), instrumentationEmitter, cluster });
  return { admin, cluster };
}

/**
 * Lists the cluster's topics and drops from its metadata targets every topic missing from that listing; returns
 * both. Why: kafkajs 2.2.4 never removes a target by itself (cluster/index.js, addMultipleTargetTopics: it adds, and
 * puts the previous set back only when the metadata refresh it triggers fails), so a topic listed, read or asked
 * once, then deleted, stays one, and the broker refuses every later refresh (UNKNOWN_TOPIC_OR_PARTITION): adding any
 * topic the cluster had not seen yet failed (the topic list, reads, the admin client's calls) until the console
 * reconnected. The listing asks no topic by name, so the targets cannot make it fail. kafkajs's own
 * admin.deleteTopics drops the topics it deleted the same way (admin/index.js: `cluster.targetTopics.delete(topic)`);
 * holding the lock addMultipleTargetTopics holds keeps a failing add from putting them back. A topic created after
 * the listing and added meanwhile is dropped too (a window of one metadata round trip): a read of it under way may
 * end early, the next ask adds it again.
 */
export async function unsafeForgetGoneTopics(cluster: RawCluster): Promise<{ existing: Set<string>; forgotten: string[] }> {
  const { topicMetadata } = await cluster.metadata();
  const existing = new Set(topicMetadata.map((t) => t.topic));
  await cluster.mutatingTargetTopics.acquire();
  try {
    const forgotten = [...cluster.targetTopics].filter((topic) => !existing.has(topic));
    for (const topic of forgotten) cluster.targetTopics.delete(topic);
    return { existing, forgotten };
  } finally {
    await cluster.mutatingTargetTopics.release();
  }
}

/** A half-open offset range [from, to) of one partition. */
export interface PartitionRange {
  partition: number;
  from: number;
  to: number;
}

export interface FetchedChunk {
  partition: number;
  /** Records with from <= offset < to, in offset order (control records and aborted transactions removed). */
  records: RawRecord[];
}

export interface ReadRangesOptions {
  /** Bytes asked per partition per fetch; the broker still returns one whole batch if it is larger. */
  maxBytesPerPartition?: number;
  maxBytes?: number;
  /** Checked between fetches (one fetch may already be in flight; its answer is then dropped). */
  shouldStop?: () => boolean;
}

/**
 * Reads the given ranges, all partitions of one leader in one Fetch request, yielding each
 * partition's records as they arrive, with the next fetch already in flight while the caller works
 * on them. Memory stays bounded by twice the fetch sizes: nothing is kept after it is yielded.
 * Offsets are JS numbers (exact up to 2^53, far beyond any real partition).
 */
export async function* readRanges(cluster: RawCluster, topic: string, ranges: readonly PartitionRange[], options: ReadRangesOptions = {}): AsyncGenerator<FetchedChunk> {
  const perPartition = options.maxBytesPerPartition ?? 2 * 1024 * 1024;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const next = new Map<number, { pos: number; to: number }>();
  for (const r of ranges) if (r.from < r.to) next.set(r.partition, { pos: r.from, to: r.to });
  if (next.size === 0) return;
  await recoverGoneTopics([topic], () => cluster.addTargetTopic(topic), async () => (await unsafeForgetGoneTopics(cluster)).existing);
  type Responses = Awaited<ReturnType<RawBroker['fetch']>>[];
  const fetchAll = async (): Promise<Responses> => {
    const byLeader = cluster.findLeaderForPartitions(topic, [...next.keys()]);
    return Promise.all(
      Object.entries(byLeader).map(async ([nodeId, partitions]) => {
        const broker = await cluster.findBroker({ nodeId });
        return broker.fetch({
          isolationLevel: READ_COMMITTED,
          maxWaitTime: 0,
          minBytes: 1,
          maxBytes,
          topics: [{ topic, partitions: partitions.map((p) => ({ partition: p, fetchOffset: String(next.get(p)!.pos), maxBytes: perPartition })) }],
        });
      }),
    );
  };
  let stalls = 0;
  let inflight: Promise<Responses> | null = options.shouldStop?.() ? null : fetchAll();
  while (inflight) {
    const responses = await inflight;
    inflight = null;
    const out: FetchedChunk[] = [];
    let progressed = false;
    for (const { responses: topics } of responses) {
      for (const t of topics) {
        for (const data of t.partitions) {
          const state = next.get(data.partition);
          if (!state) continue;
          const raw = data.messages;
          const lso = Number(data.lastStableOffset);
          const end = Math.min(state.to, lso >= 0 ? lso : Number(data.highWatermark));
          const lastRaw = raw.length ? Number(raw[raw.length - 1]!.offset) : -1;
          const from = state.pos;
          const records = filterAbortedMessages({ messages: raw, abortedTransactions: data.abortedTransactions }).filter((m) => {
            if (m.isControlRecord) return false;
            const o = Number(m.offset);
            return o >= from && o < state.to;
          });
          if (lastRaw >= state.pos) {
            state.pos = lastRaw + 1;
            progressed = true;
          }
          if (state.pos >= state.to || state.pos >= end) next.delete(data.partition);
          if (records.length) out.push({ partition: data.partition, records });
        }
      }
    }
    if (!progressed) {
      // Nothing new anywhere: the ranges end beyond what is readable (records deleted, or not yet committed).
      if (++stalls >= 2) next.clear();
    } else stalls = 0;
    // The next fetch goes out before this one's records are handed over: the broker and the socket work
    // while the caller filters (positions are already known from the last offsets of this response).
    if (next.size > 0 && !options.shouldStop?.()) {
      inflight = fetchAll();
      inflight.catch(() => {}); // a caller that stops early never awaits it
    }
    for (const chunk of out) yield chunk;
    if (options.shouldStop?.()) return;
  }
}
