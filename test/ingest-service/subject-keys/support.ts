// Helpers for the forget tests: the keys topic as a fresh reader sees it, the key records the service made,
// and events about one recipient.
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { createBlindIndexer, loadOrCreateBlindIndexKey } from '../../../shared/blind-index/index.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import { parseKeysTopicRecord, type SubjectKeyRecord } from '../../../shared/subject-keys/index.js';
import { readAll, type ReadMessage } from '../../support/kafka.js';

const { Kafka, logLevel, Partitioners } = kafkajs;

/** The blind index the service computes for `address` (its own key file in dataDir). */
export function blindIndexOf(dataDir: string, address: string): string {
  return createBlindIndexer(loadOrCreateBlindIndexKey(join(dataDir, 'keys')))(address);
}

/** The keys topic as a fresh reader sees it, read to the end it has now: the last value of each Kafka key (null = tombstoned). */
export async function keysTopicState(brokers: string[], topic: string): Promise<{ latest: Map<string, Buffer | null>; messages: ReadMessage[] }> {
  const kafka = new Kafka({ clientId: 'sealpost-test-keys', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const marks = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const ends = new Map(marks.map((m) => [m.partition, BigInt(m.high)]));
  const want = (messages: readonly ReadMessage[]): boolean => {
    const last = new Map<number, bigint>();
    for (const m of messages) last.set(m.partition, BigInt(m.offset) + 1n);
    return [...ends].every(([p, end]) => end === 0n || (last.get(p) ?? 0n) >= end);
  };
  const messages = await readAll(brokers, topic, 1, 20_000, { until: want });
  if (!want(messages)) throw new Error(`the keys topic ${topic} was not read to its end`);
  const latest = new Map<string, Buffer | null>();
  for (const m of [...messages].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))) latest.set(m.key!.toString(), m.value);
  return { latest, messages };
}

/** A key record the service produced, as read from the keys topic: its Kafka key, its bytes and what they say. */
export interface ServiceKeyRecord {
  key: string;
  raw: Buffer;
  value: SubjectKeyRecord;
}

/** The live key records of `subject` on the keys topic (what the service's expand workers made for it). */
export function liveKeysOf(state: { latest: Map<string, Buffer | null> }, subject: string): ServiceKeyRecord[] {
  const out: ServiceKeyRecord[] = [];
  for (const [key, raw] of state.latest) {
    const parsed = raw ? parseKeysTopicRecord(key, raw) : undefined;
    if (parsed?.kind === 'key' && parsed.value && parsed.subject === subject) out.push({ key, raw: raw!, value: parsed.value });
  }
  return out;
}

/** What a fresh reader that reads the keys topic from the beginning can open with: every live key record, by key id. */
export function liveKeyMap(state: { latest: Map<string, Buffer | null> }): Map<string, SubjectKeyRecord> {
  const out = new Map<string, SubjectKeyRecord>();
  for (const [key, raw] of state.latest) {
    const parsed = raw ? parseKeysTopicRecord(key, raw) : undefined;
    if (parsed?.kind === 'key' && parsed.value) out.set(parsed.keyId, parsed.value);
  }
  return out;
}

/** Every key id named on the keys topic, live or tombstoned (a key that never appears there is in none of them). */
export function keyIdsEverOnTopic(messages: readonly ReadMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) {
    const parsed = m.key ? parseKeysTopicRecord(m.key.toString(), m.value) : undefined;
    if (parsed?.kind === 'key') ids.add(parsed.keyId);
  }
  return ids;
}

/**
 * Produces records the service made, byte for byte, to the keys topic again: a key record made before a
 * forget that lands after its tombstones (a producer retry, a send that was in flight), as the service's
 * own sink would produce it (Java partitioner, acks=all).
 */
export async function redeliver(brokers: string[], topic: string, records: readonly ServiceKeyRecord[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'sealpost-test-keys', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.raw })) });
  } finally {
    await producer.disconnect();
  }
}

/** One SendGrid event about `email`, with an id of its own. */
export function eventAbout(email: string, id: string): string {
  return JSON.stringify([{ email, event: 'delivered', timestamp: Math.floor(Date.now() / 1000), sg_event_id: id }]);
}

/** The envelopes of a source topic, by event id. */
export function byId(records: readonly ReadMessage[]): Map<string, Envelope> {
  return new Map(records.map((r) => [(JSON.parse(r.value!.toString()) as Envelope).id, JSON.parse(r.value!.toString()) as Envelope]));
}

/** Value of a metric on a Prometheus page (0 when absent). */
export function metricValue(page: string, name: string, labels = ''): number {
  const line = page.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : 0;
}
