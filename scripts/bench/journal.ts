#!/usr/bin/env node
// npm run bench:journal [-- --seconds 5 --skip-kafka]
// Measures the durable core on its own: journal appends with group commit (1 KB and 30 KB bodies,
// saturated and at the target rate of 100 requests/s), and the forwarder draining 200-byte records
// into the real broker (a backlog, then steady state at 10,000 events/s). CPU is this process's
// user+system time per wall second (1.0 = one core); ELU is the main thread's event-loop utilisation
// (with --inline it includes the time blocked in fsync, which CPU time does not). Last line: one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createForwarder } from '../../ingest-service/src/forwarder/index.js';
import type { Expand } from '../../ingest-service/src/expand/index.js';
import { openJournal, type Journal } from '../../ingest-service/src/journal/index.js';
import { createKafka, createKafkaSink } from '../../ingest-service/src/kafka/index.js';
import { ensureShared } from '../kafka/broker.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    'skip-kafka': { type: 'boolean', default: false },
    'group-commit-ms': { type: 'string', default: '2' },
    /** Write on the event loop's own connection instead of the writer thread, for comparison. */
    inline: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const GROUP_MS = Number(args['group-commit-ms']);
const say = (...a: unknown[]): void => console.error('[bench:journal]', ...a);
const silent = { debug() {}, info() {}, warn() {}, error() {} } as never;

interface Meter {
  stop(): { seconds: number; cpu: number; elu: number };
}
function meter(): Meter {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const e0 = performance.eventLoopUtilization();
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      return { seconds, cpu: (c.user + c.system) / 1e6 / seconds, elu: performance.eventLoopUtilization(e0).utilization };
    },
  };
}
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

async function freshJournal(): Promise<{ journal: Journal; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-bench-journal-'));
  const journal = openJournal({ dir, groupCommitMs: GROUP_MS, retainForwardedSeconds: 3600, writerThread: !args.inline });
  await journal.ready();
  return { dir, journal };
}

/** `concurrency` clients each appending as fast as their previous append resolves. */
async function saturated(bytes: number, concurrency: number) {
  const { journal, dir } = await freshJournal();
  const body = randomBytes(bytes);
  const lat: number[] = [];
  let n = 0;
  const m = meter();
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        await journal.append({ source: 'bench', kind: 'sendgrid', receivedAt: Date.now(), payload: body });
        lat.push(performance.now() - t);
        n++;
      }
    }),
  );
  const r = m.stop();
  const s = journal.stats();
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    bytes,
    concurrency,
    appends_per_s: Math.round(n / r.seconds),
    mb_per_s: r2((n * bytes) / r.seconds / 1e6),
    entries_per_commit: r2(s.appendedEntries / s.appendCommits),
    p50_ms: r2(pct(lat, 50)),
    p99_ms: r2(pct(lat, 99)),
    cpu_cores: r2(r.cpu),
    elu: r2(r.elu),
  };
}

/** Appends at a fixed rate (requests/s), as the HTTP layer would under a steady sender. */
async function atRate(bytes: number, rate: number, journalIn?: Journal, seconds = SECONDS) {
  const own = journalIn ? undefined : await freshJournal();
  const journal = journalIn ?? own!.journal;
  const body = randomBytes(bytes);
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  const m = meter();
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due) {
      sent++;
      const t = performance.now();
      pending.push(journal.append({ source: 'bench', kind: 'sendgrid', receivedAt: Date.now(), payload: body }).then(() => void lat.push(performance.now() - t)));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const r = m.stop();
  if (own) {
    await journal.close();
    rmSync(own.dir, { recursive: true, force: true });
  }
  return { bytes, rate, appends: sent, p50_ms: r2(pct(lat, 50)), p99_ms: r2(pct(lat, 99)), cpu_cores: r2(r.cpu), elu: r2(r.elu) };
}

/** The bench expand: a JSON array of ~200-byte events, one record each (no sealing: that is bench:seal's job). */
const jsonExpand = (topic: string): Expand => async (entry) => {
  const events = JSON.parse(entry.payload.toString()) as { id: string; key: string; v: string }[];
  return {
    records: events.map((e) => ({ eventId: e.id, topic, key: e.key, value: Buffer.from(JSON.stringify(e)), headers: { 'sealpost-source': entry.source } })),
    deadLetters: [],
  };
};
let eventCounter = 0;
const requestBody = (events: number): Buffer =>
  Buffer.from(JSON.stringify(Array.from({ length: events }, () => {
    const n = eventCounter++;
    return { id: `ev-${n}`, key: `rcpt-${n % 997}`, v: 'x'.repeat(160) };
  })));

async function forwarderBench(brokers: string[]) {
  const topic = `bench.journal.${randomBytes(4).toString('hex')}`;
  const { journal, dir } = await freshJournal();
  const kafka = createKafka({ brokers, clientId: 'bench-journal', ssl: false, createTopics: true, partitions: 6, replicationFactor: -1 }, silent);
  const sink = createKafkaSink({ kafka, log: silent, createTopics: true, partitions: 6, replicationFactor: -1, topics: [topic] });
  await sink.connect();
  const fwd = createForwarder({ journal, sink, expand: jsonExpand(topic), log: silent, batchEvents: 2000, retryInitialMs: 200, retryMaxMs: 5000 });
  try {
    // 1. A backlog of 600 requests x 100 events (as after an outage), drained flat out.
    await Promise.all(Array.from({ length: 600 }, () => journal.append({ source: 'bench', kind: 'events', receivedAt: Date.now(), payload: requestBody(100) })));
    let m = meter();
    fwd.start();
    await fwd.drainNow({ timeoutMs: 120_000 });
    let r = m.stop();
    const backlog = { events: 60_000, events_per_s: Math.round(60_000 / r.seconds), cpu_cores: r2(r.cpu), elu: r2(r.elu) };
    say('backlog drain', backlog);

    // 2. Steady state: 100 requests/s of 100 events (10,000 events/s) appended and forwarded at once.
    const before = fwd.counters().forwardedEvents;
    m = meter();
    const lat: number[] = [];
    const start = performance.now();
    let sent = 0;
    const pending: Promise<void>[] = [];
    while (performance.now() - start < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * 100);
      while (sent < due) {
        sent++;
        const t = performance.now();
        pending.push(journal.append({ source: 'bench', kind: 'events', receivedAt: Date.now(), payload: requestBody(100) }).then(() => void lat.push(performance.now() - t)));
      }
      await new Promise((res) => setTimeout(res, 1));
    }
    await Promise.all(pending);
    await fwd.drainNow({ timeoutMs: 60_000 });
    r = m.stop();
    const forwarded = fwd.counters().forwardedEvents - before;
    const steady = {
      target_events_per_s: 10_000,
      accepted_events_per_s: Math.round((sent * 100) / r.seconds),
      forwarded_events_per_s: Math.round(forwarded / r.seconds),
      p50_ack_ms: r2(pct(lat, 50)),
      p99_ack_ms: r2(pct(lat, 99)),
      cpu_cores: r2(r.cpu),
      elu: r2(r.elu),
    };
    say('steady 10k events/s', steady);
    return { backlog, steady };
  } finally {
    await fwd.stop();
    await sink.disconnect();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const result: Record<string, unknown> = { group_commit_ms: GROUP_MS, seconds: SECONDS, writer: args.inline ? 'inline' : 'thread' };
for (const bytes of [1024, 30 * 1024]) {
  const s = await saturated(bytes, 64);
  say('saturated', s);
  result[`saturated_${bytes === 1024 ? '1k' : '30k'}`] = s;
}
const target = await atRate(30 * 1024, 100);
say('100 requests/s of 30 KB', target);
result.rate_100rps_30k = target;
if (!args['skip-kafka']) {
  const { brokers } = await ensureShared();
  result.forwarder_200b = await forwarderBench(brokers);
}
console.log(JSON.stringify(result));
