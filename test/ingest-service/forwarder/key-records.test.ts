import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SealpostError } from '../../../shared/errors/index.js';
import { createForwarder } from '../../../ingest-service/src/forwarder/index.js';
import type { Expand } from '../../../ingest-service/src/expand/index.js';
import type { SinkRecord } from '../../../ingest-service/src/kafka/index.js';
import { openTemp } from '../journal/temp-journal.js';
import { eventsBody, memorySink, silentLog, testExpand, type TestEvent } from './test-expand.js';

/** testExpand, plus one subject-key record per distinct event key (as the real expand sends a key with every batch using it). */
const withKeys = (inner: Expand): Expand => async (entry) => {
  const res = await inner(entry);
  const keys = [...new Set(res.records.map((r) => r.key))];
  return { ...res, keyRecords: keys.map((k) => ({ topic: 't.keys', key: `key/${k}`, value: Buffer.from(k), headers: { 'sealpost-schema': 'sealpost.subject-key/1' } })) };
};

test('key records go first in a send of their own, once per batch, are not events, and are reported once produced', async () => {
  const t = openTemp();
  const sink = memorySink();
  const sends: string[][] = [];
  const send = sink.send.bind(sink);
  sink.send = async (records) => {
    sends.push(records.map((r) => `${r.topic}:${r.key}`));
    return send(records);
  };
  const produced: SinkRecord[][] = [];
  const fwd = createForwarder({
    journal: t.journal,
    sink,
    expand: withKeys(testExpand((s) => `t.${s}`)),
    keyRecordsProduced: (records) => void produced.push([...records]),
    log: silentLog,
    batchEvents: 1000,
    retryInitialMs: 5,
    retryMaxMs: 20,
  });
  const append = (events: TestEvent[]) => t.journal.append({ source: 'sg', kind: 'events', receivedAt: Date.now(), payload: eventsBody(events) });
  try {
    await append([{ id: 'a1', key: 'k1' }, { id: 'a2', key: 'k1' }]);
    await append([{ id: 'b1', key: 'k2' }, { id: 'b2', key: 'k1' }]);
    sink.failNext = 1; // the first send fails: nothing is reported produced, the retry carries the keys again
    await fwd.drainNow().catch(() => {});
    await fwd.drainNow();
    assert.equal(sends.length, 3);
    assert.deepEqual(sends[0], sends[1], 'the retry sends the same keys');
    assert.deepEqual(sends[1], ['t.keys:key/k1', 't.keys:key/k2']);
    assert.deepEqual(sends[2], ['t.sg:k1', 't.sg:k1', 't.sg:k2', 't.sg:k1']);
    assert.deepEqual(produced.map((p) => p.map((r) => r.key)), [['key/k1', 'key/k2']], 'reported once, after the send that succeeded');
    assert.equal(fwd.counters().forwardedEvents, 4, 'key records are not events');

    // A provider retry: its events are duplicates and dropped, its key record is still sent (harmless, compacted).
    await append([{ id: 'a1', key: 'k1' }]);
    await fwd.drainNow();
    assert.deepEqual(sends.slice(3), [['t.keys:key/k1'], []]);
    assert.equal(fwd.counters().duplicatesDropped, 1);
    assert.equal(fwd.counters().forwardedEvents, 4);
  } finally {
    await fwd.stop();
    await t.cleanup();
  }
});

test('a send that lands on some partitions and fails on the keys topic leaves no record without its key record', async () => {
  const t = openTemp();
  const sink = memorySink();
  const send = sink.send.bind(sink);
  let partial = 1;
  // As kafkajs does when the keys topic's leader is away: the other partitions' requests land, the send throws.
  sink.send = async (records) => {
    if (partial > 0 && records.some((r) => r.topic === 't.keys')) {
      partial--;
      await send(records.filter((r) => r.topic !== 't.keys'));
      throw new SealpostError('SP_KAFKA_SEND_FAILED', 'NOT_LEADER_FOR_PARTITION on t.keys (test)', { retriable: true });
    }
    return send(records);
  };
  const fwd = createForwarder({ journal: t.journal, sink, expand: withKeys(testExpand((s) => `t.${s}`)), log: silentLog, batchEvents: 1000, retryInitialMs: 5, retryMaxMs: 20 });
  try {
    await t.journal.append({ source: 'sg', kind: 'events', receivedAt: Date.now(), payload: eventsBody([{ id: 'a1', key: 'k1' }]) });
    await fwd.drainNow().catch(() => {});
    const landed = sink.records.map((r) => `${r.topic}:${r.key}`);
    assert.deepEqual(landed, [], 'nothing under the key reached the topic while its key record did not');
    await fwd.drainNow();
    assert.deepEqual(sink.records.map((r) => `${r.topic}:${r.key}`), ['t.keys:key/k1', 't.sg:k1']);
  } finally {
    await fwd.stop();
    await t.cleanup();
  }
});

test('events of forgotten subjects are counted once their entry is completed, not at every expand of it', async () => {
  const t = openTemp();
  const sink = memorySink();
  const counted: Record<string, number> = {};
  const inner = testExpand((s) => `t.${s}`);
  let expands = 0;
  const expand: Expand = async (entry) => {
    expands++;
    return { ...(await inner(entry)), forgotten: { shredded: 1, dropped: 2 } };
  };
  const forgottenEvents = { inc: (labels: Record<string, string>, n = 1) => void (counted[labels.outcome!] = (counted[labels.outcome!] ?? 0) + n) };
  const fwd = createForwarder({ journal: t.journal, sink, expand, metrics: { forgottenEvents }, log: silentLog, batchEvents: 1000, retryInitialMs: 5, retryMaxMs: 20 });
  try {
    await t.journal.append({ source: 'sg', kind: 'events', receivedAt: Date.now(), payload: eventsBody([{ id: 'a1', key: 'k1' }]) });
    sink.failNext = 2; // expanded three times: two failed sends, then the one that lands
    await fwd.drainNow().catch(() => {});
    await fwd.drainNow().catch(() => {});
    await fwd.drainNow();
    assert.equal(expands, 3);
    assert.deepEqual(counted, { shredded: 1, dropped: 2 });
  } finally {
    await fwd.stop();
    await t.cleanup();
  }
});
