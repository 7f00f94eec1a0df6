// The suppression view keeps the states of the keys used last in memory (the writer and the follower read the same
// hot keys again and again). What it answers must stay what SQLite holds: a batch that fails is rolled back whole,
// and no state of it may be answered afterwards.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { openSuppressionStore } from '../../../ingest-service/src/suppressions/suppression-store.js';
import { orderStamp, SUPPRESSION_SCHEMA, type SuppressionValue } from '../../../ingest-service/src/suppressions/suppression-state.js';
import { tempDataDir } from '../../support/ingest.js';

function stop(subject: string, reason: 'bounce' | 'spamreport', t: number): SuppressionValue {
  const o = orderStamp(t, t, 0);
  return {
    schema: SUPPRESSION_SCHEMA,
    subject,
    reasons: { [reason]: { since: new Date(t).toISOString(), sinceOrd: o, lastOrd: o, source: 'sendgrid', eventId: `${subject}-${t}` } },
    source: 'sendgrid',
    eventId: `${subject}-${t}`,
    policyVersion: 1,
    sections: { support: 'c2VhbGVk' },
    sealedId: `${subject}-${t}`,
    sealedSource: 'sendgrid',
  };
}

describe('suppression view', () => {
  const dataDir = tempDataDir();
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = openSuppressionStore({ dataDir, topic: 't', now: Date.now });
  after(() => store.close());

  it('answers the merged state of a key after each batch, and the same after reopening the file', () => {
    store.applyBatch(0, [{ key: 'a', value: stop('a', 'bounce', 1_000) }], 1);
    store.applyBatch(0, [{ key: 'a', value: stop('a', 'spamreport', 2_000) }], 2);
    assert.deepEqual(Object.keys(store.get('a')!.reasons).sort(), ['bounce', 'spamreport']);
    const again = openSuppressionStore({ dataDir, topic: 't', now: Date.now });
    try {
      assert.deepEqual(again.get('a'), store.get('a'));
      assert.deepEqual(again.offsets(), new Map([[0, 2]]));
    } finally {
      again.close();
    }
  });

  it('answers nothing of a batch that failed part-way (rolled back), neither the new key nor the new reason', () => {
    const broken = { ...stop('c', 'bounce', 4_000), subject: null } as unknown as SuppressionValue; // NOT NULL refuses it
    assert.throws(() =>
      store.applyBatch(0, [
        { key: 'b', value: stop('b', 'bounce', 3_000) },
        { key: 'a', value: stop('a', 'bounce', 5_000) },
        { key: 'c', value: broken },
      ], 3),
    );
    assert.equal(store.get('b'), undefined, 'the new key was rolled back');
    assert.equal(store.get('a')!.reasons['bounce']!.lastOrd, orderStamp(1_000, 1_000, 0), 'the later bounce of a was rolled back');
    assert.deepEqual(store.offsets(), new Map([[0, 2]]));
    assert.deepEqual([...store.summaries(['a', 'b']).keys()], ['a']);
  });
});
