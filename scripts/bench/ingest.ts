#!/usr/bin/env node
// npm run bench:ingest [-- --seconds 60 --concurrency 8 --sustain-rate auto|N --departments 2 --kms --seal-workers N --profile DIR
//                         --service-root DIR --subject-keys on|off --new-subject-every-event --events --accept-only]
// Drives the real service (a child process) with signed SendGrid batches of 100 unique events over loopback,
// --departments sealed per event (default 2, the default policy), a real Kafka broker:
//  1. full speed for --seconds (events_per_s accepted; forwarded_per_s = all of them over the time until the
//     forwarder has caught up; split into forwarded while accepting, and the drain after, the forwarder alone);
//  2. ack latency at --latency-rate (p50/p99);
//  3. a steady --sustain-rate offered for --seconds (auto: 90% of phase 1's events_per_s): what was accepted and
//     forwarded inside that window, and the largest backlog (accepted, not yet in Kafka) seen at any second;
// then a raw kafkajs producer sending the same events in clear (the ceiling), and the sealing core's CPU µs per
// section for the same departments, in this process (seal_us_per_section), and the service's own CPU per event
// (all its threads, all phases: service_cpu_us_per_event, steadier than rates on a shared machine). --service-root
// runs the service of another checkout (a baseline) under the same load and measurements. --subject-keys on (the default)
// seals each section under a per-(recipient, department) subject key (crypto-shredding), off seals v1 envelopes; the
// recipients cycle over 5,000 addresses, or with --new-subject-every-event every event names a new one (the worst case:
// a new key per event and department, each one key record). --events posts signed audit events to an `events` source
// instead, with the admin API on (so the events query's index tails the topic under the full load, where the checkout
// has one). --profile DIR writes one .cpuprofile per service thread there and adds each thread's busy CPU per event
// accepted (profile_main_us_per_event, _expand_, _sink_, _writer_; use a new DIR per run). --accept-only gives the service
// a broker address nothing listens on and runs phase 1 and the raw producer only: acceptance alone (HTTP, signature,
// journal), the bound forwarding can never pass (accepted_to_raw). The run's topics are deleted once measured (a default run
// writes several GB). Last line: one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import { ensureShared } from '../kafka/broker.mjs';
import { generateSendgridKeyPair } from '../../ingest-service/src/dev/index.js';
import { waitReady } from '../../test/support/ingest.js';
import { benchPolicy } from './bench-policy.js';
import { deleteTopic } from './consume-topic.js';
import { createIngestClient } from './ingest-client.js';
import { meanRecordBytes, rawProducerRate } from './ingest-kafka.js';
import { createBatchMaker } from './ingest-load.js';
import { percentile, processCpuUs } from './measure.js';
import { sealCpuPerSection } from './seal-cpu.js';
import { threadBusyMs } from './thread-profile.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    'latency-seconds': { type: 'string', default: '20' },
    'latency-rate': { type: 'string', default: '5000' },
    'sustain-rate': { type: 'string', default: 'auto' },
    departments: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '8' },
    kms: { type: 'boolean', default: false },
    port: { type: 'string', default: '18787' },
    profile: { type: 'string' },
    'seal-workers': { type: 'string' },
    'service-root': { type: 'string' },
    'subject-keys': { type: 'string', default: 'on' },
    'new-subject-every-event': { type: 'boolean', default: false },
    events: { type: 'boolean', default: false },
    'accept-only': { type: 'boolean', default: false },
  },
});
if (!['on', 'off'].includes(args['subject-keys']!)) throw new Error(`--subject-keys must be on or off, got ${args['subject-keys']}`);
const SUBJECT_KEYS = args['subject-keys'] === 'on';
const NEW_SUBJECTS = args['new-subject-every-event'];
const SECONDS = Number(args.seconds);
const LAT_SECONDS = Number(args['latency-seconds']);
const LAT_RATE = Number(args['latency-rate']);
const DEPARTMENTS = Number(args.departments);
const policy = benchPolicy(DEPARTMENTS);
const CONCURRENCY = Number(args.concurrency);
const BATCH = 100;
const log = (...a: unknown[]): void => console.error('[bench]', ...a);
const ACCEPT_ONLY = args['accept-only'];

const { brokers } = await ensureShared();
const kafka = new kafkajs.Kafka({ clientId: 'bench', brokers, logLevel: kafkajs.logLevel.NOTHING });
const run = randomBytes(4).toString('hex');
const topic = `bench.ingest.${run}`;
const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-'));
const { publicKey, privateKeyPem: privatePem } = generateSendgridKeyPair();
const EVENTS_MODE = args.events;
const eventsSecret = randomBytes(32).toString('base64url');
const config: Record<string, unknown> = {
  listen: { host: '127.0.0.1', port: Number(args.port) },
  dataDir,
  // --accept-only: a broker address nothing listens on, so the forwarder takes (almost) no CPU: acceptance alone.
  kafka: { brokers: ACCEPT_ONLY ? ['127.0.0.1:1'] : brokers, partitions: 6 },
  sources: [
    EVENTS_MODE
      ? { id: 'bench', kind: 'events', topic, verify: { hmacSecret: eventsSecret, maxAgeSeconds: 300 } }
      : { id: 'bench', kind: 'sendgrid', topic, verify: { publicKey, maxAgeSeconds: 300 } },
  ],
  ...(EVENTS_MODE ? { admin: { listen: { host: '127.0.0.1', port: 0 }, audit: { topic: `${topic}.trail` } } } : {}),
  policy,
  log: { level: 'warn' },
  // The keys topic of this run (its own, like the data topic); only sent with --service-root when on, so an older checkout still starts.
  ...(SUBJECT_KEYS ? { subjectKeys: { enabled: true, topic: `bench.keys.${run}` } } : args['service-root'] ? {} : { subjectKeys: { enabled: false } }),
  ...(args['seal-workers'] ? { forwarder: { sealWorkers: Number(args['seal-workers']) } } : {}),
  // The suppression topic of this run: the shared default would hold every earlier run's records, and each start
  // reads it whole (one run in five events a bounce), so later runs would measure more than earlier ones.
  suppressions: { topic: `bench.suppressions.${run}` },
};
let kmsSetup: { env: Record<string, string>; stop(): Promise<void>; calls(): Promise<number> } | undefined;
if (args.kms) {
  const { setupBenchKms } = await import('./ingest-kms.js');
  kmsSetup = await setupBenchKms(config);
}
const configFile = join(dataDir, 'config.json');
writeFileSync(configFile, JSON.stringify(config));

const base = `http://127.0.0.1:${args.port}`;
const profileDir = args.profile ? resolve(args.profile) : undefined; // the same directory for a --service-root child
const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
const child: ChildProcess = spawn(process.execPath, [...profileArgs, '--import', 'tsx', 'ingest-service/src/main.ts', '--config', configFile], {
  ...(args['service-root'] ? { cwd: args['service-root'] } : {}),
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, ...(kmsSetup?.env ?? {}) },
});
const childExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
const cleanup = async (): Promise<void> => {
  child.kill('SIGTERM');
  if (profileDir) await childExited; // the profiles are written as the threads exit
  await kmsSetup?.stop();
  rmSync(dataDir, { recursive: true, force: true });
};
process.on('exit', () => child.kill('SIGKILL'));

/** This run's topics (a default run writes several GB): deleted once measured, or runs fill the broker's disk. */
const dropRunTopics = (): Promise<void> =>
  deleteTopic(brokers, topic, `${topic}.trail`, `bench.keys.${run}`, `bench.suppressions.${run}`, `bench.raw.${run}`).catch((err: unknown) =>
    log(`could not delete this run's topics: ${(err as Error).message}`),
  );

const makeBatch = createBatchMaker({ run, batch: BATCH, audit: EVENTS_MODE, newSubjectEveryEvent: NEW_SUBJECTS });

const client = createIngestClient({
  base,
  ...(EVENTS_MODE ? { events: { secret: eventsSecret } } : {}),
  sendgridPrivatePem: privatePem,
  batch: BATCH,
  makeBody: () => makeBatch().body,
});
const { post, metricValue, paced, forwardedCount } = client;

await waitReady(base);
log(`service ready; phase 1: ${SECONDS}s at full speed, concurrency ${CONCURRENCY}`);

// Phase 1: full speed (capacity).
let accepted = 0;
const t0 = Date.now();
const end = t0 + SECONDS * 1000;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      await post(makeBatch().body);
      accepted += BATCH;
    }
  }),
);
const acceptSeconds = (Date.now() - t0) / 1000;
if (ACCEPT_ONLY) {
  // Forwarded events can never outrun acceptance: its rate alone bounds forwarded_to_raw from above.
  const serviceCpuUs = processCpuUs(child.pid!);
  await cleanup();
  log('raw kafkajs producer, same events in clear');
  const rawPerS = await rawProducerRate(kafka, `bench.raw.${run}`, Math.min(SECONDS, 20), () => makeBatch().events);
  await dropRunTopics();
  const eventsPerS = accepted / acceptSeconds;
  console.log(JSON.stringify({
    load: EVENTS_MODE ? 'events' : 'sendgrid',
    mode: 'accept-only',
    events_per_s: Math.round(eventsPerS),
    raw_producer_per_s: Math.round(rawPerS),
    accepted_to_raw: Number((eventsPerS / rawPerS).toFixed(3)),
    service_cpu_us_per_event: Math.round(serviceCpuUs / Math.max(1, accepted)),
  }));
  process.exit(0);
}
const forwardedWhileAccepting = await forwardedCount();
log(`accepted ${accepted} events in ${acceptSeconds.toFixed(1)}s (${forwardedWhileAccepting} forwarded); waiting for the forwarder to catch up`);
/** Waits until `target` events are in Kafka (or `timeoutMs` passed); returns the forwarded count. */
async function drained(target: number, timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let n = 0;
  while ((n = await forwardedCount()) < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return n;
}
const forwarded = await drained(accepted);
const forwardSeconds = (Date.now() - t0) / 1000;
const SUSTAIN_RATE = args['sustain-rate'] === 'auto' ? Math.round((0.9 * accepted) / acceptSeconds / 100) * 100 : Number(args['sustain-rate']);

// Phase 2: ack latency at a steady rate.
log(`phase 2: ${LAT_SECONDS}s at ${LAT_RATE} events/s for ack latency`);
const latencies: number[] = [];
let totalAccepted = accepted + (await paced(LAT_RATE, LAT_SECONDS, (ms) => void latencies.push(ms)));
latencies.sort((a, b) => a - b);
await drained(totalAccepted);

// Phase 3: a steady offered rate, sustained. Accepted and forwarded are both counted inside the window.
log(`phase 3: ${SECONDS}s offered at ${SUSTAIN_RATE} events/s (sustained)`);
const sustainBase = await forwardedCount();
let sustainAcked = 0;
let maxBacklog = 0;
const sustainStart = Date.now();
const sampler = setInterval(() => {
  void forwardedCount().then((f) => {
    maxBacklog = Math.max(maxBacklog, sustainAcked - (f - sustainBase));
  });
}, 1000);
const sustainSent = await paced(SUSTAIN_RATE, SECONDS, () => void (sustainAcked += BATCH));
const sustainSeconds = (Date.now() - sustainStart) / 1000;
const sustainForwarded = (await forwardedCount()) - sustainBase;
clearInterval(sampler);
totalAccepted += sustainSent;
await drained(totalAccepted);

const recordBytes = await meanRecordBytes(kafka, topic, `bench-${run}`);
const kmsCalls = kmsSetup ? await kmsSetup.calls() : undefined;
const subjectKeysCreated = await metricValue('sealpost_subject_keys_created_total ');
const serviceKmsCalls = await metricValue('sealpost_kms_calls_total ');
const serviceCpuUs = processCpuUs(child.pid!);
await cleanup();

// The ceiling: a raw producer sending the same events in clear.
log('phase 4: raw kafkajs producer, same events in clear');
const rawPerS = await rawProducerRate(kafka, `bench.raw.${run}`, Math.min(SECONDS, 20), () => makeBatch().events);
await dropRunTopics();
log('sealing core: CPU µs per section for the same departments');
const seal = await sealCpuPerSection(DEPARTMENTS, 3);

const result: Record<string, number | string> = {
  load: EVENTS_MODE ? 'events' : 'sendgrid',
  departments: DEPARTMENTS,
  subject_keys: SUBJECT_KEYS ? (NEW_SUBJECTS ? 'on, new subject every event' : 'on') : 'off',
  events_per_s: Math.round(accepted / acceptSeconds),
  forwarded_per_s: Math.round(Math.min(forwarded, accepted) / forwardSeconds),
  forwarded_while_accepting_per_s: Math.round(forwardedWhileAccepting / acceptSeconds),
  drain_forwarded_per_s: Math.round((Math.min(forwarded, accepted) - forwardedWhileAccepting) / Math.max(0.001, forwardSeconds - acceptSeconds)),
  p50_ack_ms: Number(percentile(latencies, 50).toFixed(2)),
  p99_ack_ms: Number(percentile(latencies, 99).toFixed(2)),
  sustained_offered_per_s: SUSTAIN_RATE,
  sustained_accepted_per_s: Math.round(sustainAcked / sustainSeconds),
  sustained_forwarded_per_s: Math.round(sustainForwarded / sustainSeconds),
  sustained_max_backlog: maxBacklog,
  paced_requests_refused: client.refusedRequests(),
  raw_producer_per_s: Math.round(rawPerS),
  forwarded_to_raw: Number((Math.min(forwarded, accepted) / forwardSeconds / rawPerS).toFixed(3)),
  service_cpu_us_per_event: Math.round(serviceCpuUs / Math.max(1, totalAccepted)),
  seal_us_per_section: seal.cpuUsPerSection,
  seal_path: seal.path,
  bytes_per_record: Math.round(recordBytes),
};
result.subject_keys_created = subjectKeysCreated;
result.service_kms_calls = serviceKmsCalls;
if (profileDir) {
  // Each thread's busy CPU (profiled) per event accepted over all phases: which thread a change saved time on.
  const busy = threadBusyMs(profileDir);
  for (const [role, ms] of Object.entries(busy)) if (ms > 0) result[`profile_${role}_us_per_event`] = Math.round((ms * 1000) / Math.max(1, totalAccepted));
}
if (kmsCalls !== undefined) result.kms_calls_per_100k = Number(((kmsCalls / Math.max(1, totalAccepted)) * 100_000).toFixed(2));
console.log(JSON.stringify(result));
process.exit(0);
