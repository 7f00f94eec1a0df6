import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { httpsGet } from '../../../ingest-service/src/verify/https-get.js';

test('an HTTPS server with a certificate no CA vouches for is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=127.0.0.1', '-days', '1'], { stdio: 'ignore' });
  let served = 0;
  const server = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) => {
    served++;
    res.end('-----BEGIN CERTIFICATE-----');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    await assert.rejects(httpsGet(`https://127.0.0.1:${port}/cert.pem`, { timeoutMs: 2000 }), /self[- ]signed|unable to verify/i);
    assert.equal(served, 0);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server that never answers is given up on after the timeout', async () => {
  const sockets: Socket[] = [];
  const silent = createTcpServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    await assert.rejects(httpsGet(`https://127.0.0.1:${port}/`, { timeoutMs: 300 }), /no answer within 300 ms/);
    assert.ok(Date.now() - started < 2000);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});
