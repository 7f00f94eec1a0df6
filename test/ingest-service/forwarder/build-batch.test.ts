import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch } from '../../../ingest-service/src/forwarder/build-batch.js';
import { recordBytes } from '../../../ingest-service/src/kafka/index.js';
import { openTemp } from '../journal/temp-journal.js';
import { eventsBody, testExpand, type TestEvent } from './test-expand.js';

const expand = testExpand((source) => `t.${source}`);
const idsOf = (records: { value: Buffer }[]): string[] => records.map((r) => (JSON.parse(r.value.toString()) as TestEvent).id);

test('claims of the batch in flight make the same id of the same source a duplicate, not the same id of another source', async () => {
  const t = openTemp();
  try {
    for (const source of ['a', 'b']) {
      await t.journal.append({ source, kind: 'events', receivedAt: 1, payload: eventsBody([{ id: 'x', key: 'k' }, { id: 'y', key: 'k' }]) });
    }
    const entries = t.journal.nextBatch(10);
    const batch = await buildBatch(entries, {
      journal: t.journal,
      expand,
      batchEvents: 100,
      maxRecordBytes: 1_000_000,
      inflightClaims: [
        { source: 'a', eventId: 'x', seq: 0 },
        { source: 'b', eventId: 'y', seq: 0 },
        { source: 'c', eventId: 'x', seq: 0 },
      ],
    });
    assert.deepEqual(batch.claims.map((c) => `${c.source}:${c.eventId}`), ['a:y', 'b:x']);
    assert.deepEqual(Object.fromEntries(batch.duplicatesBySource), { a: 1, b: 1 });
  } finally {
    await t.cleanup();
  }
});

test('maxRecordBytes counts the key and headers in UTF-8 bytes: a record exactly at the limit goes, one byte over is a dead letter', async () => {
  const t = openTemp();
  try {
    const key = 'ключ-€-😀-'.repeat(20);
    assert.ok(Buffer.byteLength(key) > key.length * 1.5, 'the key is mostly multi-byte');
    await t.journal.append({ source: 'sg', kind: 'events', receivedAt: 1, payload: eventsBody([{ id: 'wide', key }, { id: 'small', key: 'k' }]) });
    const entries = t.journal.nextBatch(10);
    const [wide] = (await expand({ seq: entries[0]!.seq, source: 'sg', receivedAt: 1, payload: t.journal.decryptPayload(entries[0]!) })).records;
    const exact = recordBytes(wide!);

    const atLimit = await buildBatch(entries, { journal: t.journal, expand, batchEvents: 100, maxRecordBytes: exact });
    assert.deepEqual(idsOf(atLimit.records), ['wide', 'small']);
    assert.deepEqual(atLimit.deadLetters, []);

    const over = await buildBatch(entries, { journal: t.journal, expand, batchEvents: 100, maxRecordBytes: exact - 1 });
    assert.deepEqual(idsOf(over.records), ['small']);
    assert.deepEqual(
      over.deadLetters.map((d) => ({ reason: d.reason, clear: d.clear })),
      [{ reason: 'record_too_large', clear: { topic: 't.sg', eventId: 'wide', recordBytes: exact, maxRecordBytes: exact - 1 } }],
    );
  } finally {
    await t.cleanup();
  }
});
