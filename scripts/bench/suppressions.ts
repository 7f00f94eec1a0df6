#!/usr/bin/env node
// npm run bench:suppressions [-- --entries 100000 --requests 2000 --addresses 100]
// Latency of POST /v1/suppressions/check: the service (in-process, shared broker, a fresh topic) follows a suppression
// topic of --entries records (written straight to the topic), then --requests checks of --addresses addresses each
// (half of them suppressed) are posted one after the other, HMAC-signed, over loopback HTTP, by a client in a thread
// of its own (suppressions-client.ts: a sending system is not the service's thread). Reports client-side round-trip
// percentiles (signing excluded) and the service's own answer time. Last line: one JSON object.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import { configSchema } from '../../ingest-service/src/config/index.js';
import { generateSendgridKeyPair } from '../../ingest-service/src/dev/index.js';
import { startService } from '../../ingest-service/src/service.js';
import { spawnModuleWorker } from '../../ingest-service/src/threads/worker-client.js';
import { orderStamp, SUPPRESSION_SCHEMA, type SuppressionValue } from '../../ingest-service/src/suppressions/suppression-state.js';
import { DEFAULT_POLICY } from '../../shared/policy/index.js';
import { ensureShared } from '../kafka/broker.mjs';
import type { ClientJob } from './suppressions-client.js';

const { values: args } = parseArgs({ options: { entries: { type: 'string', default: '100000' }, requests: { type: 'string', default: '2000' }, addresses: { type: 'string', default: '100' } } });
const ENTRIES = Number(args.entries);
const REQUESTS = Number(args.requests);
const PER_REQUEST = Number(args.addresses);

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { brokers } = await ensureShared();
const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-supp-'));
const topic = `bench-supp-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const secret = randomBytes(32).toString('base64url');
const config = configSchema.parse({
  listen: { host: '127.0.0.1', port: 0 },
  dataDir,
  kafka: { brokers, partitions: 6 },
  sources: [{ id: 'sendgrid', kind: 'sendgrid', topic: `${topic}.sendgrid`, verify: { publicKey: generateSendgridKeyPair().publicKey } }],
  policy: DEFAULT_POLICY,
  suppressions: { topic, check: { verify: { hmacSecret: secret }, perMinute: 1_000_000 } },
  log: { level: 'warn' },
});
const service = await startService(config);
try {
  const index = await service.suppressions!.blindIndexer();
  // The follower makes the topic (compacted) first: a producer that got there before it would create it with
  // the broker's delete policy, which the follower refuses, and the view would never load.
  await service.suppressions!.follower.waitReady(120_000);
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = performance.now();
  for (let from = 0; from < ENTRIES; from += 5000) {
    const messages = [];
    for (let i = from; i < Math.min(ENTRIES, from + 5000); i++) {
      const subject = index(`user${i}@bench.example`);
      const o = orderStamp(1_700_000_000_000 + i, 1_700_000_000_000 + i, 0);
      const v: SuppressionValue = {
        schema: SUPPRESSION_SCHEMA,
        subject,
        reasons: { bounce: { since: new Date(1_700_000_000_000 + i).toISOString(), sinceOrd: o, lastOrd: o, source: 'sendgrid', eventId: `b${i}` } },
        source: 'sendgrid',
        eventId: `b${i}`,
        policyVersion: 1,
        sections: {},
        sealedId: `b${i}`,
        sealedSource: 'sendgrid',
      };
      messages.push({ key: subject, value: JSON.stringify(v) });
    }
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
  // The view follows from the beginning: wait for every entry.
  while (service.suppressions!.store.size() < ENTRIES) await new Promise((r) => setTimeout(r, 200));
  const loadMs = performance.now() - t0;

  const job: ClientJob = { url: `${service.url}/v1/suppressions/check`, secret, requests: REQUESTS, warmup: 200, perRequest: PER_REQUEST, entries: ENTRIES };
  const client = spawnModuleWorker(import.meta.url, './suppressions-client', job);
  const { latencies, floor, suppressed } = await new Promise<{ latencies: number[]; floor: number[]; suppressed: number }>((resolve, reject) => {
    client.once('message', resolve);
    client.once('error', reject);
  });
  await client.terminate();
  latencies.sort((a, b) => a - b);
  floor.sort((a, b) => a - b);
  const pct = (p: number, of = latencies): number => Number(of[Math.min(of.length - 1, Math.floor((p / 100) * of.length))]!.toFixed(3));
  const metrics = await service.metrics.suppressionCheckSeconds.get();
  const sum = metrics.values.find((v) => v.metricName === 'sealpost_suppression_check_seconds_sum')?.value ?? 0;
  const count = metrics.values.find((v) => v.metricName === 'sealpost_suppression_check_seconds_count')?.value ?? 1;
  console.log(`${ENTRIES} entries followed in ${(loadMs / 1000).toFixed(1)} s; ${REQUESTS} checks of ${PER_REQUEST} addresses: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms (client round trip); GET /healthz between them: p50 ${pct(50, floor)} ms, p99 ${pct(99, floor)} ms (the machine's floor)`);
  console.log(
    JSON.stringify({
      bench: 'suppressions-check',
      entries: ENTRIES,
      requests: REQUESTS,
      addresses_per_request: PER_REQUEST,
      suppressed_share: Number((suppressed / (REQUESTS * PER_REQUEST)).toFixed(3)),
      p50_ms: pct(50),
      p99_ms: pct(99),
      max_ms: pct(100),
      server_mean_ms: Number(((sum / count) * 1000).toFixed(3)),
      healthz_p50_ms: pct(50, floor),
      healthz_p99_ms: pct(99, floor),
      view_load_s: Number((loadMs / 1000).toFixed(1)),
    }),
  );
} finally {
  await service.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
