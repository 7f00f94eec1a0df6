// The console's bounded fan-out of admin calls: a disconnect stops it issuing calls (a call sent after the
// admin client's disconnect reconnects it, and the console's process then never exits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapLimit } from '../../../../electron/core/topics/topic-admin.js';

test('mapLimit keeps at most `limit` calls in flight and returns results in input order', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, n));
    inFlight--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30]);
  assert.equal(most, 2);
});

test('once stopped, mapLimit starts no new call and rejects; the calls already running finish', async () => {
  let stopped = false;
  const started: number[] = [];
  const items = Array.from({ length: 100 }, (_, i) => i);
  const run = mapLimit(
    items,
    4,
    async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, 5));
      return i;
    },
    () => stopped,
  );
  await new Promise((r) => setTimeout(r, 12));
  stopped = true;
  await assert.rejects(run, { code: 'SP_CONSOLE_NOT_CONNECTED', message: /disconnected/ });
  const count = started.length;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(started.length, count, 'no call starts after the stop');
  assert.ok(count < 100, `stopped after ${count} of 100 calls`);
});
