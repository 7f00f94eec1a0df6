// Starts the real ingest service (real journal on disk, real HTTP listener, optionally a real broker) for tests,
// with a SendGrid source and an audit source whose credentials the test holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configSchema, type Config, type ConfigInput } from '../../ingest-service/src/config/index.js';
import { eventsSignedHeaders, generateSendgridKeyPair, sendgridSignedHeaders } from '../../ingest-service/src/dev/index.js';
import { startService, type RunningService } from '../../ingest-service/src/service.js';
import { DEFAULT_POLICY } from '../../shared/policy/index.js';

export interface TestService {
  service: RunningService;
  config: Config;
  dataDir: string;
  /** Every log line the service wrote, for assertions (e.g. nothing personal in logs). */
  logs: string[];
  /** PEM private key the `sendgrid` source verifies against (to sign requests sent by other means). */
  sendgridPrivateKey: string;
  /** POSTs a SendGrid batch signed with the source's key. */
  postSendgrid(body: string | Buffer, opts?: { timestamp?: number; source?: string; tamper?: boolean }): Promise<Response>;
  /** POSTs an audit-events body signed with the source's HMAC secret. */
  postEvents(body: string | Buffer, opts?: { timestamp?: number }): Promise<Response>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export const SEED_BATCH = readFileSync(new URL('../../ingest-service/samples/sendgrid-seed-batch.json', import.meta.url));

/** A fresh data dir under the OS temp dir. */
export function tempDataDir(prefix = 'sealpost-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Builds a test config: loopback on a free port, two sources, the default policy, optional Kafka. */
export function testConfig(opts: { dataDir: string; brokers?: string[]; topicPrefix?: string; overrides?: Partial<ConfigInput>; extraSources?: ConfigInput['sources'] }): {
  config: Config;
  sendgridPrivateKey: string;
  auditSecret: string;
} {
  const sendgridKeys = generateSendgridKeyPair();
  const auditSecret = randomBytes(24).toString('base64url');
  const prefix = opts.topicPrefix ?? `t${randomBytes(4).toString('hex')}`;
  const input: ConfigInput = {
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: opts.dataDir,
    journal: { groupCommitMs: 2, dedupeWindowSeconds: 3600, retainForwardedSeconds: 3600 },
    forwarder: { batchEvents: 2000, retryInitialMs: 100, retryMaxMs: 1000, maxRecordBytes: 1_000_000 },
    sources: [
      { id: 'sendgrid', kind: 'sendgrid', topic: `${prefix}.sendgrid`, verify: { publicKey: sendgridKeys.publicKey, maxAgeSeconds: 300 } },
      { id: 'audit', kind: 'events', topic: `${prefix}.audit`, verify: { hmacSecret: auditSecret, maxAgeSeconds: 300 } },
      ...(opts.extraSources ?? []),
    ],
    policy: DEFAULT_POLICY,
    // A keys topic of the test's own (the default name would be shared by every test on the broker).
    subjectKeys: { topic: `${prefix}.subject-keys` },
    ...(opts.brokers ? { kafka: { brokers: opts.brokers, partitions: 3 } } : {}),
    log: { level: 'info' },
    ...opts.overrides,
  };
  return {
    config: configSchema.parse(input),
    sendgridPrivateKey: sendgridKeys.privateKeyPem,
    auditSecret,
  };
}

/** Starts the service for a test. */
export async function startTestService(opts: { brokers?: string[]; dataDir?: string; overrides?: Partial<ConfigInput>; extraSources?: ConfigInput['sources'] } = {}): Promise<TestService> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const { config, sendgridPrivateKey, auditSecret } = testConfig({ dataDir, ...opts });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const service = await startService(config, { logDestination: sink });
  return {
    service,
    config,
    dataDir,
    logs,
    sendgridPrivateKey,
    postSendgrid(body, o = {}) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
      const sent = o.tamper ? Buffer.concat([buf, Buffer.from(' ')]) : buf;
      return fetch(`${service.url}/v1/sendgrid/${o.source ?? 'sendgrid'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sendgridSignedHeaders(sendgridPrivateKey, buf, ts) },
        body: new Uint8Array(sent),
      });
    },
    postEvents(body, o = {}) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
      return fetch(`${service.url}/v1/events/audit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...eventsSignedHeaders(auditSecret, buf, ts) },
        body: new Uint8Array(buf),
      });
    },
    async stop(o = {}) {
      await service.stop();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let batchCounter = 0;
/** A SendGrid batch of `n` events with unique sg_event_ids (so dedupe never hides one); returns the ids too. */
export function makeSendgridBatch(n: number, prefix: string): { body: Buffer; ids: string[] } {
  const ids: string[] = [];
  const now = Math.floor(Date.now() / 1000);
  const events = Array.from({ length: n }, (_, i) => {
    const id = `${prefix}-${batchCounter}-${i}`;
    ids.push(id);
    return { email: `user${(batchCounter * n + i) % 97}@example.com`, event: 'delivered', timestamp: now, sg_event_id: id, sg_message_id: `m-${id}`, ip: '192.0.2.7' };
  });
  batchCounter++;
  return { body: Buffer.from(JSON.stringify(events)), ids };
}

/** The service as a child process (`node --import tsx ingest-service/src/main.ts --config FILE`), its stderr kept. */
export function spawnService(configFile: string, opts: { everything?: boolean } = {}): { child: ChildProcess; stderr(): string; stdout(): string } {
  // everything: keep all of stderr and stdout (the pino logs), for tests that scan them for what must never appear;
  // otherwise the last 4,000 characters of stderr, enough to say why a service did not start.
  const child = spawn(process.execPath, ['--import', 'tsx', 'ingest-service/src/main.ts', '--config', configFile], { stdio: ['ignore', opts.everything ? 'pipe' : 'ignore', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = opts.everything ? err + d.toString() : (err + d.toString()).slice(-4000);
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, stderr: () => err, stdout: () => out };
}

/** Waits until a service answers /readyz (a child process started by a test or a benchmark). */
export async function waitReady(url: string, timeoutMs = 60_000, stderr?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms${stderr ? `; its stderr:\n${stderr()}` : ''}`);
}

/**
 * A sender under load: `workers` loops posting signed SendGrid batches of `size` unique events to a service
 * URL until stop(); a refused connection (service down) waits a moment and retries, as a provider would.
 */
export function sendgridLoad(url: string, privateKeyPem: string, opts: { prefix: string; size?: number; workers?: number }) {
  const acked = new Set<string>();
  const answers = new Map<number, number>();
  let loading = true;
  const worker = async (): Promise<void> => {
    while (loading) {
      const { body, ids } = makeSendgridBatch(opts.size ?? 50, opts.prefix);
      const ts = Math.floor(Date.now() / 1000);
      try {
        const res = await fetch(`${url}/v1/sendgrid/sendgrid`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sendgridSignedHeaders(privateKeyPem, body, ts) },
          body: new Uint8Array(body),
        });
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        if (res.status === 200) ids.forEach((id) => acked.add(id));
        await res.arrayBuffer();
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const running = Array.from({ length: opts.workers ?? 4 }, worker);
  return {
    /** Event ids answered 200. */
    acked,
    /** HTTP status -> count of answers. */
    answers,
    async stop(): Promise<void> {
      loading = false;
      await Promise.all(running);
    },
  };
}

/** A loopback port nothing listens on right now (for a service started as a child process). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A service to run as a child process: a test config on a free loopback port written to `dataDir/config.json`,
 * and `start()` that spawns it and waits until it is ready (its stderr in the error when it is not).
 */
export async function childService(dataDir: string, brokers: string[]) {
  const port = await freePort();
  const { config, sendgridPrivateKey } = testConfig({ dataDir, brokers });
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...config, listen: { ...config.listen, port } }));
  const url = `http://127.0.0.1:${port}`;
  return {
    config,
    sendgridPrivateKey,
    url,
    async start(): Promise<ChildProcess> {
      const proc = spawnService(configFile);
      await waitReady(url, 60_000, proc.stderr);
      return proc.child;
    },
  };
}
