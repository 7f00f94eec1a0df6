import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { it } from 'node:test';
import { ensureKafka } from '../support/kafka.js';
import { startTestService, tempDataDir } from '../support/ingest.js';

it('a port already taken fails the start with EADDRINUSE, and the same data dir starts cleanly afterwards', async () => {
  const { brokers } = await ensureKafka();
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const dataDir = tempDataDir();
  try {
    await assert.rejects(startTestService({ brokers, dataDir, overrides: { listen: { host: '127.0.0.1', port } } }), /EADDRINUSE/);
  } finally {
    blocker.close();
  }
  // The failed start closed its journal writer and sealing worker: the journal opens again at once.
  const svc = await startTestService({ brokers, dataDir });
  assert.equal((await fetch(`${svc.service.url}/readyz`)).status, 200);
  await svc.stop();
});
