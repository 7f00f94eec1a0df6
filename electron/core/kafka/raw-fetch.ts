import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import { CONSOLE_ERRORS } from '../errors.js';

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
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string | number }): Promise<RawBroker>;
}

const require = createRequire(import.meta.url);
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages') as (args: {
  messages: RawRecord[];
  abortedTransactions?: unknown[];
}) => RawRecord[];

const READ_COMMITTED = 1;

/**
 * kafkajs's internal cluster, built with the client's own brokers/TLS/SASL settings. Why: kafkajs
 * only reads through consumer groups, and joining a group costs seconds (the broker's
 * group.initial.rebalance.delay.ms is 3 s by default) — the console must show a first page in well
 * under a second, reading any offset of any partition. kafkajs 2.2.4 is frozen, and this file is
 * the only place touching its internals (tested against the real broker in test/console/core/).
 */
export function unsafeRawCluster(kafka: Kafka): RawCluster {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = sym ? (kafka as unknown as Record<symbol, unknown>)[sym] : undefined;
  if (typeof create !== 'function') {
    throw new SealpostError(CONSOLE_ERRORS.kafka, 'This kafkajs version is not the one the console was built with (2.2.x); reinstall the console.');
  }
  return (create as (o: object) => RawCluster)({
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: READ_COMMITTED,
  });
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

/** Fetches kept in flight at once, each for its own share of the partitions. */
const LANES = 2;

/**
 * Reads the given ranges, yielding each partition's records as they arrive. The partitions are split
 * into LANES shares, each with its own Fetch in flight (all partitions of one leader in one request):
 * while this process decodes and filters one share's answer, the broker is already serving the other's
 * (a broker answers one connection's requests in order, so a single fetch ahead would wait on the
 * decode). A partition stays in one lane, so its records come in offset order. Memory stays bounded
 * by the fetch sizes: nothing is kept after it is yielded. Offsets are JS numbers (exact up to 2^53).
 */
export async function* readRanges(cluster: RawCluster, topic: string, ranges: readonly PartitionRange[], options: ReadRangesOptions = {}): AsyncGenerator<FetchedChunk> {
  const perPartition = options.maxBytesPerPartition ?? 2 * 1024 * 1024;
  const next = new Map<number, { pos: number; to: number }>();
  for (const r of ranges) if (r.from < r.to) next.set(r.partition, { pos: r.from, to: r.to });
  if (next.size === 0) return;
  const lanes: number[][] = Array.from({ length: Math.min(LANES, next.size) }, () => []);
  [...next.keys()].forEach((p, i) => lanes[i % lanes.length]!.push(p));
  const maxBytes = Math.ceil((options.maxBytes ?? 32 * 1024 * 1024) / lanes.length);
  await cluster.addTargetTopic(topic);
  type Responses = Awaited<ReturnType<RawBroker['fetch']>>[];
  const fetchLane = (lane: number[]): Promise<Responses> => {
    const byLeader = cluster.findLeaderForPartitions(topic, lane);
    const pending = Promise.all(
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
    pending.catch(() => {}); // a caller that stops early never awaits it
    return pending;
  };
  const stalls = lanes.map(() => 0);
  const inflight: (Promise<Responses> | null)[] = options.shouldStop?.() ? lanes.map(() => null) : lanes.map(fetchLane);
  while (inflight.some(Boolean)) {
    for (const [i, lane] of lanes.entries()) {
      const pending = inflight[i];
      if (!pending) continue;
      const responses = await pending;
      inflight[i] = null;
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
      // Nothing new in this lane twice: its ranges end beyond what is readable (records deleted, or not yet committed).
      stalls[i] = progressed ? 0 : stalls[i]! + 1;
      if (stalls[i]! >= 2) for (const p of lane) next.delete(p);
      lanes[i] = lane.filter((p) => next.has(p));
      // This lane's next fetch goes out before its records are handed over (positions are known already).
      if (lanes[i]!.length && !options.shouldStop?.()) inflight[i] = fetchLane(lanes[i]!);
      for (const chunk of out) yield chunk;
      if (options.shouldStop?.()) return;
    }
  }
}
