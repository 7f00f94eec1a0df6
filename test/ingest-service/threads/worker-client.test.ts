import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkerClient } from '../../../ingest-service/src/threads/worker-client.js';
import type { ProbeRequest } from './probe-worker.js';

type Why = 'failed' | 'exited' | 'closed';
const died = (why: Why, message: string): Error => Object.assign(new Error(message), { why });
const whyOf = (err: unknown): Why | undefined => (err as { why?: Why }).why;

const startProbe = () => startWorkerClient<ProbeRequest, string>({ beside: import.meta.url, module: './probe-worker', workerData: null, died });

/** Settles within ms, or rejects saying it never did (a call that never settles would otherwise hang the test). */
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`did not settle within ${ms} ms`)), ms).unref())]);

test("a dead thread's late exit does not fail the calls and ready promise of the thread started after it", async () => {
  const client = startProbe();
  try {
    await client.ready();
    // 'error' rejects the crash call; the next call (before the old thread's 'exit') starts a new thread.
    await assert.rejects(client.call({ op: 'crash' }), (err) => whyOf(err) === 'failed');
    const next = client.call({ op: 'echo', value: 'kept' });
    assert.equal(await within(next, 20_000), 'kept');
    await within(client.ready(), 20_000);
    assert.equal(client.inFlight(), 0);
  } finally {
    await client.close();
  }
});

test('calls in flight when the client closes are rejected with the closed error, not left pending', async () => {
  const client = startProbe();
  await client.ready();
  const stuck = client.call({ op: 'hang' });
  assert.equal(await client.call({ op: 'echo', value: 'answered' }), 'answered');
  await within(client.close(), 20_000);
  await assert.rejects(within(stuck, 5_000), (err) => whyOf(err) === 'closed');
  assert.equal(client.inFlight(), 0);
  await client.idle();
});
