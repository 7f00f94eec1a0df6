import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch } from '../../../ingest-service/src/forwarder/build-batch.js';
import { openTemp } from '../journal/temp-journal.js';
import { eventsBody, testExpand } from './test-expand.js';

const expand = testExpand((source) => `t.${source}`);

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
