#!/usr/bin/env node
// npm run bench:suppressions [-- --entries 100000 --requests 2000 --addresses 100]
// Latency of POST /v1/suppressions/check: the service (in-process, shared broker, a fresh topic) follows a suppression
// topic of --entries records (written straight to the topic), then --requests checks of --addresses addresses each
// (half of them suppressed) are posted one after the other, HMAC-signed, over loopback HTTP. Reports client-side
// round-trip percentiles (signing excluded) and the service's own answer time. Last line: one JSON object.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import { configSchema } from '../../ingest-service/src/config/index.js';
import { eventsSignedHeaders, generateSendgridKeyPair } from '../../ingest-service/src/dev/index.js';
import { startService } from '../../ingest-service/src/service.js';
import { orderStamp, SUPPRESSION_SCHEMA, type SuppressionValue } from '../../ingest-service/src/suppressions/suppression-state.js';
import { DEFAULT_POLICY } from '../../shared/policy/index.js';
import { ensureShared } from '../kafka/broker.mjs';

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
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
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

  const url = `${service.url}/v1/suppressions/check`;
  const latencies: number[] = [];
  let suppressed = 0;
  for (let r = 0; r < REQUESTS + 50; r++) {
    const addresses = Array.from({ length: PER_REQUEST }, (_, i) => (i % 2 === 0 ? `user${(r * PER_REQUEST + i) % ENTRIES}@bench.example` : `nobody${r}-${i}@bench.example`));
    const body = Buffer.from(JSON.stringify({ addresses }));
    const headers = { 'content-type': 'application/json', ...eventsSignedHeaders(secret, body) };
    const start = performance.now();
    const res = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
    const json = (await res.json()) as { results: { suppressed: boolean }[] };
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`check answered ${res.status}: ${JSON.stringify(json)}`);
    if (r >= 50) {
      latencies.push(ms); // the first 50 warm up
      suppressed += json.results.filter((x) => x.suppressed).length;
    }
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(3));
  const metrics = await service.metrics.suppressionCheckSeconds.get();
  const sum = metrics.values.find((v) => v.metricName === 'sealpost_suppression_check_seconds_sum')?.value ?? 0;
  const count = metrics.values.find((v) => v.metricName === 'sealpost_suppression_check_seconds_count')?.value ?? 1;
  console.log(`${ENTRIES} entries followed in ${(loadMs / 1000).toFixed(1)} s; ${REQUESTS} checks of ${PER_REQUEST} addresses: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms (client round trip)`);
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
      view_load_s: Number((loadMs / 1000).toFixed(1)),
    }),
  );
} finally {
  await service.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
