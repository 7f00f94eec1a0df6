import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createForwarder, type ForwarderOptions } from '../../../ingest-service/src/forwarder/index.js';
import { openTemp } from '../journal/temp-journal.js';
import { eventsBody, failingExpand, memorySink, silentLog, testExpand, type TestEvent } from './test-expand.js';

const topicOf = (source: string): string => `t.${source}`;
const ids = (records: { value: Buffer }[]): string[] => records.map((r) => (JSON.parse(r.value.toString()) as TestEvent).id);

function setup(over: Partial<ForwarderOptions> = {}) {
  const t = openTemp();
  const sink = memorySink();
  const fwd = createForwarder({
    journal: t.journal,
    sink,
    expand: testExpand(topicOf),
    log: silentLog,
    batchEvents: 1000,
    retryInitialMs: 5,
    retryMaxMs: 20,
    ...over,
  });
  const append = (events: TestEvent[] | Buffer, source = 'sg') =>
    t.journal.append({ source, kind: 'events', receivedAt: Date.now(), payload: Buffer.isBuffer(events) ? events : eventsBody(events) });
  // Stops the forwarder (a started one is a live activity) before the journal closes.
  const cleanup = async (): Promise<void> => {
    await fwd.stop();
    await t.cleanup();
  };
  return { t, sink, fwd, append, cleanup };
}

test('forwards entries in seq order, one record per event, and marks them forwarded', async () => {
  const { t, sink, fwd, append, cleanup } = setup({ batchEvents: 3 });
  try {
    await append([{ id: 'a1', key: 'k1' }, { id: 'a2', key: 'k2' }]);
    await append([{ id: 'b1', key: 'k1' }]);
    await append([{ id: 'c1', key: 'k3' }, { id: 'c2', key: 'k1' }]);
    await fwd.drainNow();
    assert.deepEqual(ids(sink.records), ['a1', 'a2', 'b1', 'c1', 'c2']);
    assert.deepEqual(sink.records.map((r) => r.topic), Array(5).fill('t.sg'));
    assert.equal(sink.records[0]!.headers['sealpost-source'], 'sg');
    assert.equal(t.journal.stats().pendingTotal, 0);
    const c = fwd.counters();
    assert.equal(c.forwardedEvents, 5);
    assert.equal(c.batches, 2, 'batchEvents=3 takes whole entries: [a1 a2 b1] then [c1 c2]');
  } finally {
    await cleanup();
  }
});

test('a provider retry (same event id in a later request) is dropped, within one batch and across batches', async () => {
  const { t, sink, fwd, append, cleanup } = setup();
  try {
    await append([{ id: 'e1', key: 'k' }, { id: 'e2', key: 'k' }]);
    await append([{ id: 'e1', key: 'k' }]); // retry of part of the first request, same batch
    await fwd.drainNow();
    await append([{ id: 'e2', key: 'k' }, { id: 'e3', key: 'k' }]); // later retry, next batch
    await fwd.drainNow();
    assert.deepEqual(ids(sink.records), ['e1', 'e2', 'e3']);
    assert.equal(fwd.counters().duplicatesDropped, 2);
    assert.equal(t.journal.stats().pendingTotal, 0);
  } finally {
    await cleanup();
  }
});

test('a failed send is retried with the same records in the same order, and nothing is completed before it succeeds', async () => {
  const { t, sink, fwd, append, cleanup } = setup();
  try {
    await append([{ id: 'x1', key: 'k' }, { id: 'x2', key: 'k' }]);
    await append([{ id: 'y1', key: 'k' }]);
    sink.failNext = 3;
    fwd.start();
    await fwd.drainNow({ timeoutMs: 5000 });
    assert.equal(sink.attempts, 4);
    assert.deepEqual(ids(sink.records), ['x1', 'x2', 'y1'], 'not lost, not duplicated by our own retries, in order');
    const c = fwd.counters();
    assert.equal(c.failures.send, 3);
    assert.equal(c.consecutiveFailures, 0);
    assert.equal(c.lastError?.code, 'SP_KAFKA_SEND_FAILED');
    await fwd.stop();
  } finally {
    await cleanup();
  }
});

test('a retriable expand failure (KMS away) backs off and keeps order; a fatal one makes that entry a dead letter', async () => {
  let kmsAway = 2;
  const base = testExpand(topicOf);
  const expand = failingExpand(base, (e) => {
    const body = e.payload.toString();
    if (body.includes('needs-kms') && kmsAway > 0) return kmsAway--, 'retriable';
    if (body.includes('no-rule')) return 'fatal';
    return undefined;
  });
  const { t, sink, fwd, append, cleanup } = setup({ expand });
  try {
    await append([{ id: 'm1', key: 'k' }]);
    await append([{ id: 'needs-kms', key: 'k' }]);
    await append([{ id: 'no-rule', key: 'k' }]);
    await append([{ id: 'm2', key: 'k' }]);
    fwd.start();
    await fwd.drainNow({ timeoutMs: 5000 });
    assert.deepEqual(ids(sink.records), ['m1', 'needs-kms', 'm2']);
    // The first refusal only cut the round short (m1 was sent); the second found needs-kms first: a failed round.
    assert.equal(fwd.counters().failures.expand, 1);
    assert.equal(kmsAway, 0);
    const [dl] = t.journal.listDeadLetters();
    assert.equal(dl!.reason, 'expand_failed');
    assert.deepEqual(dl!.clear, { error: 'SP_TEST_POLICY' });
    assert.deepEqual(JSON.parse(t.journal.unsafeReadDeadLetterRaw(dl!.id)!.toString()), [{ id: 'no-rule', key: 'k' }]);
    await fwd.stop();
  } finally {
    await cleanup();
  }
});

test('records over maxRecordBytes become record_too_large dead letters holding their entry, and a re-drive sends only that event', async () => {
  const { t, sink, fwd, append, cleanup } = setup({ maxRecordBytes: 2000 });
  try {
    await append([{ id: 's1', key: 'k' }, { id: 'big', key: 'k', pad: 5000 }, { id: 's2', key: 'k' }]);
    await fwd.drainNow();
    assert.deepEqual(ids(sink.records), ['s1', 's2']);
    const [dl] = t.journal.listDeadLetters();
    assert.deepEqual({ reason: dl!.reason, eventIndex: dl!.eventIndex }, { reason: 'record_too_large', eventIndex: null });
    assert.deepEqual({ topic: dl!.clear?.topic, eventId: dl!.clear?.eventId }, { topic: 't.sg', eventId: 'big' });
    assert.equal(fwd.counters().deadLetters.record_too_large, 1);
    // The operator raises the limit and re-drives the entry: the big event is forwarded, the others are
    // dropped as duplicates of what was already forwarded.
    const fwd2 = createForwarder({ journal: t.journal, sink, expand: testExpand(topicOf), log: silentLog, batchEvents: 100, retryInitialMs: 5, retryMaxMs: 20, maxRecordBytes: 10_000 });
    t.journal.redrive(dl!.id, { by: 'ops' });
    await fwd2.drainNow();
    assert.deepEqual(ids(sink.records), ['s1', 's2', 'big']);
  } finally {
    await cleanup();
  }
});

test('unparseable bodies become dead letters and never block the entries behind them', async () => {
  const { t, sink, fwd, append, cleanup } = setup();
  try {
    await append(Buffer.from('{not json'));
    await append([{ id: 'after', key: 'k' }]);
    await fwd.drainNow();
    assert.deepEqual(ids(sink.records), ['after']);
    assert.deepEqual(t.journal.stats().deadLettersByReason, { unparseable_json: 1 });
  } finally {
    await cleanup();
  }
});

test('a paused source is skipped (others flow), and resuming it wakes the forwarder', async () => {
  const { t, sink, fwd, append, cleanup } = setup({ idlePollMs: 60_000 });
  try {
    t.journal.pause('held');
    await append([{ id: 'h1', key: 'k' }], 'held');
    await append([{ id: 'o1', key: 'k' }], 'open');
    fwd.start();
    await fwd.drainNow({ timeoutMs: 5000 });
    assert.deepEqual(ids(sink.records), ['o1']);
    assert.deepEqual(t.journal.stats().pendingBySource, { held: 1 });
    t.journal.resume('held');
    const deadline = Date.now() + 2000;
    while (sink.records.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(ids(sink.records), ['o1', 'h1']);
    await fwd.stop();
  } finally {
    await cleanup();
  }
});

test('wakes promptly when an append commits, without polling', async () => {
  const { t, sink, fwd, append, cleanup } = setup({ idlePollMs: 60_000 });
  try {
    fwd.start();
    await fwd.drainNow({ timeoutMs: 1000 });
    await append([{ id: 'w1', key: 'k' }]);
    const started = Date.now();
    while (sink.records.length === 0 && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 1));
    const latency = Date.now() - started;
    assert.equal(sink.records.length, 1);
    assert.ok(latency < 200, `forwarded ${latency} ms after the append resolved`);
    await fwd.stop();
  } finally {
    await cleanup();
  }
});

test('stop() lets the batch in flight finish, then stops; drainNow times out with a clear code while the sink is away', async () => {
  const { t, sink, fwd, append, cleanup } = setup({ retryInitialMs: 50, retryMaxMs: 50 });
  try {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const send = sink.send.bind(sink);
    sink.send = async (records) => {
      await gate;
      return send(records);
    };
    await append([{ id: 'f1', key: 'k' }]);
    fwd.start();
    await new Promise((r) => setTimeout(r, 20)); // the batch is now waiting in send()
    const stopped = fwd.stop();
    release();
    await stopped;
    assert.deepEqual(ids(sink.records), ['f1']);
    assert.equal(t.journal.stats().pendingTotal, 0, 'the in-flight batch was completed before stop resolved');
    assert.equal(fwd.counters().state, 'stopped');

    const { t: t2, sink: sink2, fwd: fwd2, append: append2, cleanup: cleanup2 } = setup({ retryInitialMs: 20, retryMaxMs: 20 });
    try {
      sink2.failNext = 1_000_000;
      await append2([{ id: 'g1', key: 'k' }]);
      fwd2.start();
      await assert.rejects(fwd2.drainNow({ timeoutMs: 200 }), (e: { code: string }) => e.code === 'SP_FORWARDER_DRAIN_TIMEOUT');
      assert.equal(t2.journal.stats().pendingTotal, 1, 'still in the journal');
    } finally {
      await cleanup2();
    }
  } finally {
    await cleanup();
  }
});

test('a retry in the batch prepared while the previous batch is still being sent is dropped too', async () => {
  const { sink, fwd, append, cleanup } = setup({ batchEvents: 2 });
  try {
    // Each batch holds one entry; batch 2 is read and expanded while batch 1 is in flight, before its claims exist.
    await append([{ id: 'p1', key: 'k' }, { id: 'p2', key: 'k' }]);
    await append([{ id: 'p2', key: 'k' }, { id: 'p3', key: 'k' }]);
    await append([{ id: 'p3', key: 'k' }, { id: 'p4', key: 'k' }]);
    const send = sink.send.bind(sink);
    sink.send = async (records) => {
      await new Promise((r) => setTimeout(r, 30));
      return send(records);
    };
    await fwd.drainNow();
    assert.deepEqual(ids(sink.records), ['p1', 'p2', 'p3', 'p4']);
    assert.equal(fwd.counters().duplicatesDropped, 2);
  } finally {
    await cleanup();
  }
});

test('a drain requested while a send is failing retries promptly instead of sleeping out the backoff', async () => {
  // Backoff after the 4th failure would be 4 s (random 1): the drain must not wait for it.
  const { sink, fwd, append, cleanup } = setup({ retryInitialMs: 500, retryMaxMs: 60_000, random: () => 1 });
  try {
    await append([{ id: 'd1', key: 'k' }]);
    const send = sink.send.bind(sink);
    let attempts = 0;
    let drained: Promise<void> | undefined;
    sink.send = async (records) => {
      attempts++;
      await new Promise((r) => setTimeout(r, 50));
      if (attempts < 4) throw new Error('broker away');
      if (attempts === 4) {
        drained = fwd.drainNow({ timeoutMs: 10_000 }); // the operator clicks Drain during a failing attempt
        throw new Error('broker away');
      }
      return send(records);
    };
    fwd.start();
    while (!drained) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await drained;
    assert.ok(Date.now() - t0 < 1500, `drained ${Date.now() - t0} ms after the click`);
    assert.deepEqual(ids(sink.records), ['d1']);
  } finally {
    await cleanup();
  }
});
