import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { spawnService, tempDataDir, testConfig, waitReady } from '../../support/ingest.js';

// Fixed ports of this test (the i9-rest range): the service runs as a real child process.
const INGEST_PORT = 40210;
const ADMIN_PORT = 40211;

it('the first start names the local admin token file and how to read it, and never prints the token', async () => {
  const dataDir = tempDataDir();
  const { config } = testConfig({ dataDir, overrides: { admin: { listen: { host: '127.0.0.1', port: ADMIN_PORT }, localToken: true } } });
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...config, listen: { ...config.listen, port: INGEST_PORT } }));
  const proc = spawnService(configFile);
  try {
    await waitReady(`http://127.0.0.1:${INGEST_PORT}`, 60_000, proc.stderr);
    const deadline = Date.now() + 10_000;
    while (!proc.stderr().includes('local admin token') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const tokenFile = join(dataDir, 'keys', 'admin-local.token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    const out = proc.stderr();
    assert.match(out, /local admin token .*made now/);
    assert.ok(out.includes(`cat ${tokenFile}`), out);
    assert.ok(!out.includes(token), 'the token itself is on stderr');
    assert.ok(!out.includes(token.slice('sealpost-local-'.length, 'sealpost-local-'.length + 12)), 'part of the token is on stderr');
  } finally {
    proc.child.kill('SIGTERM');
    await new Promise((r) => proc.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
