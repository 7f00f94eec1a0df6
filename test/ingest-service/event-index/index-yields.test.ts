// The event index has the lowest priority in the service: while the forwarder has a backlog the tail stands aside
// (nothing indexed, answers say `yielding`), and it catches up once the backlog is gone. Real broker, real thread.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { startEventIndex, YIELD_ABOVE_ENTRIES, type EventIndexHandle } from '../../../ingest-service/src/event-index/index.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { tempDataDir } from '../../support/ingest.js';
import { until } from '../../support/until.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('event index yields to the forwarder', { timeout: 120_000 }, () => {
  const dataDir = tempDataDir('sealpost-evyield-');
  const topic = uniqueTopic('evyield');
  let index: EventIndexHandle;
  let backlog = YIELD_ABOVE_ENTRIES + 1;

  before(async () => {
    const { brokers } = await ensureKafka();
    const kafka = new kafkajs.Kafka({ clientId: 'evyield', brokers, logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 20 }, () => {
      const id = randomUUID();
      const t = new Date().toISOString();
      return { value: JSON.stringify({ schema: 'sealpost.envelope/1', id, source: 'audit', kind: 'events', type: 'account.created', time: t, receivedAt: t, policyVersion: 1, clear: { id }, sections: {} }) };
    });
    await producer.send({ topic, messages });
    await producer.disconnect();
    const settings = { brokers, clientId: 'evyield', ssl: false as const, createTopics: false, partitions: 1, replicationFactor: -1 };
    index = await startEventIndex({ kafka: settings, dataDir, sources: [{ id: 'audit', topic }], retentionDays: 30, log: quiet, backlog: () => backlog });
  });
  after(async () => {
    await index?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('indexes nothing while the backlog is high, then catches up', async () => {
    await until('the tail to join', () => index.state(), (s) => s.running);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await index.query({ limit: 100 })).events.length, 0, 'nothing indexed while the forwarder is behind');
    assert.equal((await index.state()).yielding, true);
    backlog = 0;
    await until('the index to catch up', () => index.query({ limit: 100 }), (r) => r.events.length === 20);
    assert.equal((await index.state()).yielding, false);
  });
});
