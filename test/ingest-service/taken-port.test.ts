// A port already taken: the service (a real child process) says which port and how to change it in one line,
// exits non-zero, and starts nothing first (no journal, no admin listener).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { it } from 'node:test';
import { asPortError, checkPorts } from '../../ingest-service/src/startup/check-ports.js';
import { freePort, spawnService, tempDataDir, testConfig } from '../support/ingest.js';

async function occupy(port: number): Promise<Server> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  return srv;
}

/** Runs the service on `ingest` and `admin` ports with one of them held by another process; returns its exit and stderr. */
async function startOnTaken(which: 'ingest' | 'admin'): Promise<{ code: number | null; stderr: string; dataDir: string; ports: { ingest: number; admin: number } }> {
  const dataDir = tempDataDir();
  const ports = { ingest: await freePort(), admin: await freePort() };
  const { config } = testConfig({ dataDir, overrides: { admin: { listen: { host: '127.0.0.1', port: ports.admin } } } as never });
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...config, listen: { ...config.listen, port: ports.ingest } }));
  const blocker = await occupy(ports[which]);
  try {
    const { child, stderr } = spawnService(configFile);
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stderr: stderr(), dataDir, ports };
  } finally {
    blocker.close();
  }
}

it('a taken ingest port: one line naming the port, listen.port and SEALPOST_LISTEN_PORT; exit 2; nothing started', async () => {
  const r = await startOnTaken('ingest');
  try {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^sealpost-ingest: port ${r.ports.ingest} on 127\\.0\\.0\\.1 is already in use: stop what holds it or choose another port with listen\\.port \\(or SEALPOST_LISTEN_PORT\\)\\n\\(SP_PORT_UNAVAILABLE\\)\\n$`));
    assert.equal(existsSync(join(r.dataDir, 'journal.db')), false, 'the journal was not opened');
  } finally {
    rmSync(r.dataDir, { recursive: true, force: true });
  }
});

it('a taken admin port names admin.listen.port, and nothing started (no journal)', async () => {
  const r = await startOnTaken('admin');
  try {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`port ${r.ports.admin} on 127\\.0\\.0\\.1 is already in use: .* admin\\.listen\\.port in the config file`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(join(r.dataDir, 'journal.db')), false);
  } finally {
    rmSync(r.dataDir, { recursive: true, force: true });
  }
});

it('a port taken between the check and the listen gets the same one-line error', () => {
  const { config } = testConfig({ dataDir: '/nonexistent/never-written', overrides: { listen: { host: '127.0.0.1', port: 40301 } } });
  const listenErr = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:40301'), { code: 'EADDRINUSE', syscall: 'listen', port: 40301 });
  const mapped = asPortError(listenErr, config) as Error & { code: string };
  assert.equal(mapped.code, 'SP_PORT_UNAVAILABLE');
  assert.match(mapped.message, /^port 40301 on 127\.0\.0\.1 is already in use: .*SEALPOST_LISTEN_PORT/);
  const other = new Error('something else');
  assert.equal(asPortError(other, config), other);
});

it('the same port for the ingest and admin listeners is refused before either opens', async () => {
  const { config } = testConfig({ dataDir: '/nonexistent/never-written', overrides: { listen: { host: '0.0.0.0', port: 40302, allowPlainHttp: true }, admin: { listen: { host: '127.0.0.1', port: 40302 } } } });
  await assert.rejects(checkPorts(config), (e: Error & { code: string }) => e.code === 'SP_PORT_UNAVAILABLE' && /listen\.port and admin\.listen\.port are both 40302/.test(e.message));
});
