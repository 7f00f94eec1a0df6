import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selfSigned } from '../support/tls.js';
import { startAdminService, type AdminTestService } from './admin/support.js';

// Short limits so a slow client is cut within a test; the same settings on both listeners.
const limits = { requestTimeoutMs: 600, headersTimeoutMs: 400, keepAliveTimeoutMs: 5000, idleTimeoutMs: 10_000, maxConnections: 3 };

interface Probe {
  socket: Socket;
  /** Resolves with what the server sent and how long the connection lived, once it is closed. */
  closed: Promise<{ ms: number; received: string }>;
}

const opened: Socket[] = [];

function open(url: string): Promise<Probe> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      opened.push(socket);
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString()));
      const closed = new Promise<{ ms: number; received: string }>((r) => socket.on('close', () => r({ ms: Date.now() - started, received })));
      socket.on('error', () => {});
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

/** Keeps writing one byte every 100 ms (so no idle timeout fires) until the socket closes. */
function dribble(socket: Socket, byte = 'x'): () => void {
  const timer = setInterval(() => socket.writable && socket.write(byte), 100);
  socket.on('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('listener timeouts and connection cap, over real sockets', () => {
  let svc: AdminTestService;
  /** The listeners of the "request refused" log lines with this reason, in order. */
  const refusedIn = (reason: string): unknown[] =>
    svc.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request refused' && l['reason'] === reason).map((l) => l['listener']);
  before(async () => {
    svc = await startAdminService({ admin: { localToken: true, listen: { limits } }, overrides: { listen: { host: '127.0.0.1', port: 0, limits } } });
  });
  after(async () => {
    for (const s of opened) s.destroy(); // a failed test must not leave the listener busy
    await svc?.stop();
  });

  const listeners = (): [string, string, string][] => [
    ['ingest', svc.service.url, '/v1/events/audit'],
    ['admin', svc.admin.url, '/admin/v1/login'],
  ];

  it('a client that sends headers and part of a body is cut off after requestTimeoutMs, on both listeners', async () => {
    for (const [name, url, path] of listeners()) {
      const probe = await open(url);
      probe.socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":`);
      dribble(probe.socket);
      const { ms, received } = await within(probe.closed, 3000, name);
      assert.ok(ms >= limits.requestTimeoutMs, `${name}: closed after ${ms} ms, not before the timeout`);
      assert.match(received, /^HTTP\/1\.1 408 /, `${name}: answered 408`);
      assert.match(received, /"code":"SP_REQUEST_TIMEOUT"/);
    }
    assert.deepEqual(refusedIn('request_timeout'), ['ingest', 'admin'], 'each cut-off is logged with its listener');
  });

  it('a client that dribbles its headers is cut off after headersTimeoutMs, on both listeners', async () => {
    for (const [name, url] of listeners()) {
      const probe = await open(url);
      probe.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      dribble(probe.socket, 'X-Slow: y\r\n');
      const { ms } = await within(probe.closed, 3000, name);
      assert.ok(ms >= limits.headersTimeoutMs, `${name}: closed after ${ms} ms`);
    }
  });

  it('connections beyond maxConnections are refused; one frees a place when it closes, on both listeners', async () => {
    for (const [name, url] of listeners()) {
      const held = await Promise.all(Array.from({ length: limits.maxConnections }, () => open(url)));
      await new Promise((r) => setTimeout(r, 50));
      const extra = await open(url);
      const { received } = await within(extra.closed, 1000, `${name}: the connection beyond the cap`);
      assert.equal(received, '', `${name}: nothing answered beyond the cap`);
      for (const h of held) assert.equal(h.socket.destroyed, false, `${name}: the first ${limits.maxConnections} stay open`);
      held[0]!.socket.destroy();
      await held[0]!.closed;
      await new Promise((r) => setTimeout(r, 50));
      const next = await open(url);
      next.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const { received: answer } = await within(next.closed, 2000, `${name}: a connection after one closed`);
      assert.match(answer, /^HTTP\/1\.1 (200|404)/, `${name}: served again`);
      for (const h of held.slice(1)) h.socket.destroy();
    }
    assert.deepEqual(refusedIn('too_many_connections'), ['ingest', 'admin'], 'each dropped connection is logged with its listener');
  });
});

describe('a TLS listener bounds the handshake too', () => {
  let svc: AdminTestService;
  const certDir = mkdtempSync(join(tmpdir(), 'sealpost-limits-tls-'));
  before(async () => {
    const tls = selfSigned(certDir);
    svc = await startAdminService({ admin: { localToken: true, listen: { limits } }, overrides: { listen: { host: '127.0.0.1', port: 0, limits, tls } } });
  });
  after(async () => {
    for (const s of opened) s.destroy();
    await svc?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('a client that connects to the HTTPS listener and never starts TLS is cut off after headersTimeoutMs, and logged', async () => {
    assert.match(svc.service.url, /^https:/);
    const probe = await open(svc.service.url); // plain TCP, silent: no ClientHello
    const { ms, received } = await within(probe.closed, 3000, 'the silent TLS client');
    assert.ok(ms >= limits.headersTimeoutMs, `closed after ${ms} ms, not before the timeout`);
    assert.equal(received, '', 'nothing is answered before TLS');
    const lines = svc.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request refused' && l['reason'] === 'tls_handshake_timeout');
    assert.deepEqual(lines.map((l) => [l['listener'], l['client']]), [['ingest', '127.0.0.1']], 'the cut-off is logged as a refusal with its client');
  });
});
