// Seeds topics with real sealed envelopes for the console's tests and benchmark: the ingest service's own
// envelope builder, the real section sealer over local department keys, the real blind index.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { NodeDefaultCryptographicMaterialsManager } from '@aws-crypto/material-management-node';
import { createEnvelopeBuilder, type ExpandedRecord } from '../../../ingest-service/src/expand/index.js';
import type { ParsedEvent } from '../../../ingest-service/src/parse/index.js';
import { createBlindIndexer, loadOrCreateBlindIndexKey, type BlindIndexer } from '../../../shared/blind-index/index.js';
import { DEFAULT_POLICY, policySchema, type Policy } from '../../../shared/policy/index.js';
import { createSectionSealer, localKeyringsFromPolicy } from '../../../shared/seal/index.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

export interface SeedKit {
  policy: Policy;
  /** Local department keys (support, security, analytics) and the blind-index key live here. */
  keysDir: string;
  blindIndex: BlindIndexer;
  build(events: readonly ParsedEvent[], source?: { id: string; kind: 'sendgrid' | 'sns' | 'events' }, receivedAt?: number): Promise<ExpandedRecord[]>;
  close(): Promise<void>;
}

/**
 * A key folder and a builder sealing with it, exactly as the ingest service does with local keys.
 * Fresh and temporary by default; `keysDir` keeps the keys (the benchmark reuses its topic across runs).
 */
export function createSeedKit(opts: { keysDir?: string } = {}): SeedKit {
  const root = opts.keysDir ? undefined : mkdtempSync(join(tmpdir(), 'sealpost-console-seed-'));
  const keysDir = opts.keysDir ?? join(root!, 'keys');
  const policy = policySchema.parse(DEFAULT_POLICY);
  const keyrings = localKeyringsFromPolicy(keysDir, policy, { create: true });
  const sealer = createSectionSealer({
    materialsFor: (department, hooks) => new NodeDefaultCryptographicMaterialsManager(hooks.countKeyring(keyrings.get(department)!.encrypt!)),
  });
  const blindIndex = createBlindIndexer(loadOrCreateBlindIndexKey(keysDir, { create: true }));
  const builder = createEnvelopeBuilder({ policy, sealer, blindIndex });
  return {
    policy,
    keysDir,
    blindIndex,
    build: (events, source = { id: 'sendgrid-main', kind: 'sendgrid' }, receivedAt = Date.now()) =>
      builder({ ...source, topic: 'unused' }, events, receivedAt).then((b) => b.records),
    close: async () => {
      await sealer.close();
      if (root) rmSync(root, { recursive: true, force: true });
    },
  };
}

export const EVENT_TYPES = ['processed', 'delivered', 'open', 'click', 'bounce', 'dropped', 'deferred', 'spamreport'] as const;
export const CATEGORIES = ['welcome', 'invoice', 'password-reset', 'newsletter'] as const;

/** A SendGrid event as the webhook posts it; `i` picks type, category and recipient deterministically. */
export function sendgridEvent(i: number, opts: { time?: number; recipients?: number; type?: string } = {}): ParsedEvent {
  const type = opts.type ?? EVENT_TYPES[i % EVENT_TYPES.length]!;
  const timestamp = Math.floor((opts.time ?? Date.now()) / 1000);
  const id = `sg-${i.toString(36)}-${timestamp.toString(36)}`;
  const who = i % (opts.recipients ?? 50);
  return {
    id,
    type,
    time: new Date(timestamp * 1000).toISOString(),
    body: {
      email: `user${who}@example.com`,
      timestamp,
      event: type,
      sg_event_id: id,
      sg_message_id: `msg-${Math.floor(i / 3)}`,
      category: CATEGORIES[i % CATEGORIES.length],
      ip: `192.0.2.${who % 250}`,
      useragent: 'Mozilla/5.0 (test)',
      ...(type === 'click' ? { url: `https://example.com/p/${who}` } : {}),
      ...(type === 'bounce' ? { reason: '550 5.1.1 user unknown', status: '5.1.1' } : {}),
    },
  };
}

/**
 * Creates `topic` with `partitions` and produces the records (keyed by blind index, like the forwarder).
 * One batch in flight by default, so offsets follow the order of `records`; the benchmark asks for more.
 */
export async function produceRecords(
  brokers: string[],
  topic: string,
  records: readonly ExpandedRecord[],
  opts: { partitions?: number; batch?: number; compression?: boolean; timestampOf?: (i: number) => number; create?: boolean; inflight?: number } = {},
): Promise<void> {
  const kafka = new Kafka({ clientId: 'sealpost-console-seed', brokers, logLevel: logLevel.NOTHING });
  if (opts.create !== false) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: opts.partitions ?? 6, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    // One produce request holds a batch per partition; 500 records of ~1.7 KB stay under the broker's 1 MB even if all hash to one partition.
    const batch = opts.batch ?? 500;
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < records.length; i += batch) {
      const messages = records.slice(i, i + batch).map((r, j) => ({
        key: r.key,
        value: r.value,
        headers: r.headers,
        ...(opts.timestampOf ? { timestamp: String(opts.timestampOf(i + j)) } : {}),
      }));
      inflight.push(producer.send({ topic, messages, acks: 1, ...(opts.compression ? { compression: CompressionTypes.GZIP } : {}) }));
      if (inflight.length >= (opts.inflight ?? 1)) await inflight.shift();
    }
    await Promise.all(inflight);
  } finally {
    await producer.disconnect();
  }
}
