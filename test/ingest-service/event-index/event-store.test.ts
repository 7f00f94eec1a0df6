// The event index's store and its inputs, without a broker: retention, skipped records, config checks.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { configSchema } from '../../../ingest-service/src/config/index.js';
import { sourceTable } from '../../../ingest-service/src/config/source-table.js';
import { clearFields, envelopeRow, indexedSources, openEventStore, type EventStore } from '../../../ingest-service/src/event-index/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { tempDataDir, testConfig } from '../../support/ingest.js';

const DAY = 86_400_000;
const at = { topic: 't', partition: 0, offset: '0', timestamp: 0 };
const envelope = (id: string, receivedAt: number, clear: Record<string, unknown> = {}, source = 'audit') =>
  Buffer.from(
    JSON.stringify({
      schema: 'sealpost.envelope/1',
      id,
      source,
      kind: 'events',
      type: 'account.created',
      time: new Date(receivedAt).toISOString(),
      receivedAt: new Date(receivedAt).toISOString(),
      policyVersion: 1,
      recipient: 'bi-1',
      clear: { id, type: 'account.created', ...clear },
      sections: { security: 'AYAD' },
    }),
  );

describe('event store', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = tempDataDir('sealpost-evstore-');
    store = openEventStore({ dataDir: dir });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const sources = new Set(['audit']);

  it('prunes rows received before the retention limit, with their fields and text', () => {
    const now = 100 * DAY;
    store.insert([envelopeRow(envelope('old', now - 40 * DAY, { outcome: 'denied' }), at, sources)!, envelopeRow(envelope('new', now - DAY, { outcome: 'denied' }), at, sources)!]);
    assert.equal(store.prune(now - 30 * DAY), 1);
    assert.deepEqual(store.query({ limit: 10 }).events.map((e) => e.id), ['new']);
    assert.deepEqual(store.query({ limit: 10, fields: { outcome: 'denied' } }).events.map((e) => e.id), ['new']);
    assert.deepEqual(store.query({ limit: 10, keyword: 'account' }).events.map((e) => e.id), ['new']);
    assert.equal(store.count(), 1);
  });

  it('skips what is not an envelope of an indexed source, and keeps one row per (source, id)', () => {
    assert.equal(envelopeRow(null, at, sources), null, 'tombstone');
    assert.equal(envelopeRow(Buffer.from('not json'), at, sources), null);
    assert.equal(envelopeRow(envelope('x', 0, {}, 'sendgrid'), at, sources), null, 'another source on the topic');
    const row = envelopeRow(envelope('x', 0), at, sources)!;
    assert.equal(store.insert([row, row]), 1);
    assert.equal(store.insert([row]), 0);
  });

  it('indexes nested clear values and arrays as dotted paths', () => {
    assert.deepEqual(clearFields({ a: { b: 1, c: [true, 'x'] }, n: null }), [['a.b', '1'], ['a.c', 'true'], ['a.c', 'x']]);
  });
});

describe('eventIndex config', () => {
  it('defaults to on, 30 days, every events source (the audit source included)', () => {
    const { config } = testConfig({ dataDir: '/tmp/x', overrides: { admin: {} } });
    assert.deepEqual(config.eventIndex, { enabled: true, retentionDays: 30 });
    assert.deepEqual(indexedSources(config.eventIndex, sourceTable(config)).map((s) => s.id), ['audit', 'sealpost-audit']);
  });

  it('refuses a listed source that is not an events source, naming it', () => {
    const { config } = testConfig({ dataDir: '/tmp/x', overrides: { eventIndex: { sources: ['sendgrid'] } } });
    assert.throws(
      () => indexedSources(config.eventIndex, sourceTable(config)),
      (e: unknown) => isSealpostError(e) && e.code === 'SP_EVENT_INDEX_UNKNOWN_SOURCE' && /"sendgrid", not an events source/.test(e.message),
    );
    assert.equal(configSchema.safeParse({ ...config, eventIndex: { retentionDays: 0 } }).success, false);
    assert.equal(configSchema.safeParse({ ...config, eventIndex: { retention: 3 } }).success, false, 'unknown keys refused');
  });
});
