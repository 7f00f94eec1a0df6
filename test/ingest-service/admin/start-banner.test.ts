import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { freePort, spawnService, tempDataDir, testConfig, waitReady } from '../../support/ingest.js';

it('the first start names the local admin token file and how to read it, and never prints the token (stderr or the logs)', async () => {
  // The service runs as a real child process, on free loopback ports.
  const INGEST_PORT = await freePort();
  const ADMIN_PORT = await freePort();
  const dataDir = tempDataDir();
  const { config } = testConfig({ dataDir, overrides: { admin: { listen: { host: '127.0.0.1', port: ADMIN_PORT }, localToken: true } } });
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...config, listen: { ...config.listen, port: INGEST_PORT } }));
  const proc = spawnService(configFile, { everything: true });
  try {
    await waitReady(`http://127.0.0.1:${INGEST_PORT}`, 60_000, proc.stderr);
    const deadline = Date.now() + 10_000;
    while (!proc.stderr().includes('local admin token') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const tokenFile = join(dataDir, 'keys', 'admin-local.token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    const out = proc.stderr();
    assert.match(out, /local admin token .*made now/);
    assert.ok(out.includes(`cat ${tokenFile}`), out);
    // Give the logs of the first moments time to arrive, then look at everything the service printed.
    await fetch(`http://127.0.0.1:${ADMIN_PORT}/healthz`).catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
    const part = token.slice('sealpost-local-'.length, 'sealpost-local-'.length + 12);
    for (const [name, text] of [['stderr', proc.stderr()], ['stdout (logs)', proc.stdout()]] as const) {
      assert.ok(!text.includes(token), `the token itself is on ${name}`);
      assert.ok(!text.includes(part), `part of the token is on ${name}`);
    }
    assert.match(proc.stdout(), /"msg"/, 'the logs were captured');
  } finally {
    proc.child.kill('SIGTERM');
    await new Promise((r) => proc.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
