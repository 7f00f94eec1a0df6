// Helpers for the forget tests: key records as the sealing path writes them, and reads of the keys topic.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import kafkajs from 'kafkajs';
import { createBlindIndexer, loadOrCreateBlindIndexKey } from '../../../shared/blind-index/index.js';
import { SUBJECT_KEY_SCHEMA, subjectKeyContext, subjectKeyRecordKey, type SubjectKeyPlaintext, type SubjectKeyRecord } from '../../../shared/subject-keys/index.js';
import { readAll, type ReadMessage } from '../../support/kafka.js';
import { departmentKeyring } from '../../support/local-decrypt.js';

const { Kafka, logLevel, Partitioners } = kafkajs;
const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** The blind index the service computes for `address` (its own key file in dataDir). */
export function blindIndexOf(dataDir: string, address: string): string {
  return createBlindIndexer(loadOrCreateBlindIndexKey(join(dataDir, 'keys')))(address);
}

/**
 * A subject key record exactly as shared/subject-keys/format.ts specifies it (the value the sealing path
 * writes): a fresh 32-byte key, sealed with the stock ESDK under the department's local key and context.
 */
export async function keyRecord(dataDir: string, subject: string, department: string, opts: { createdAt?: number; instance?: string } = {}): Promise<{ key: string; value: SubjectKeyRecord }> {
  const keyId = randomBytes(16).toString('base64url');
  const plain: SubjectKeyPlaintext = { keyId, subject, department, key: randomBytes(32).toString('base64') };
  const { result } = await encrypt(departmentKeyring(dataDir, department), Buffer.from(JSON.stringify(plain)), { encryptionContext: subjectKeyContext(department) });
  const value: SubjectKeyRecord = {
    schema: SUBJECT_KEY_SCHEMA,
    subject,
    department,
    keyId,
    createdAt: new Date(opts.createdAt ?? Date.now()).toISOString(),
    instance: opts.instance ?? randomBytes(12).toString('base64url'),
    sealed: Buffer.from(result).toString('base64'),
  };
  return { key: subjectKeyRecordKey(subject, department, keyId), value };
}

/** Produces records to the keys topic with the Java partitioner, acks=all (as the service does). */
export async function produceKeyRecords(brokers: string[], topic: string, records: readonly { key: string; value: SubjectKeyRecord | null }[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'sealpost-test-keys', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value ? Buffer.from(JSON.stringify(r.value)) : null })) });
  } finally {
    await producer.disconnect();
  }
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

/** Value of a metric on a Prometheus page (0 when absent). */
export function metricValue(page: string, name: string, labels = ''): number {
  const line = page.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : 0;
}
