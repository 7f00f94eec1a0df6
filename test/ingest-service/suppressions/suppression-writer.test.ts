// The writer keeps the states it wrote until the follower reads them back; while a first start reads a large topic
// and the forwarder drains a backlog of bounces, that is every record written. It must stay small and bounded.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, describe, it } from 'node:test';
import type { SinkRecord } from '../../../ingest-service/src/kafka/sink.js';
import { openSuppressionStore } from '../../../ingest-service/src/suppressions/suppression-store.js';
import { createSuppressionWriter } from '../../../ingest-service/src/suppressions/suppression-writer.js';
import { orderStamp, SUPPRESSION_SCHEMA, type SuppressionValue } from '../../../ingest-service/src/suppressions/suppression-state.js';
import { tempDataDir } from '../../support/ingest.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A bounce of subject `s<i>` as the expand worker derives it: two sealed sections of a realistic size. */
function bounce(i: number, t = Date.now()): SuppressionValue {
  const o = orderStamp(t, t, 0);
  const section = (): string => randomBytes(450).toString('base64');
  return {
    schema: SUPPRESSION_SCHEMA,
    subject: `s${i}`,
    reasons: { bounce: { since: new Date(t).toISOString(), sinceOrd: o, lastOrd: o, source: 'sendgrid', eventId: `e${i}` } },
    source: 'sendgrid',
    eventId: `e${i}`,
    policyVersion: 1,
    sections: { support: section(), security: section() },
    keys: { support: `ks${i}`, security: `kx${i}` },
    sealedId: `e${i}`,
    sealedSource: 'sendgrid',
  };
}

describe('suppression writer: states written, not yet read back', () => {
  const dataDir = tempDataDir();
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = openSuppressionStore({ dataDir, topic: 't', now: Date.now });
  after(() => store.close());
  const sent: SinkRecord[] = [];
  const writer = createSuppressionWriter({ store, sink: { send: async (r: readonly SinkRecord[]) => void sent.push(...r) } as never, topic: 't', log: { info() {}, warn() {} } as never, now: Date.now });
  const complete = (v: SuppressionValue): SuppressionValue => {
    const out = writer.complete({ records: [], deadLetters: [], suppressionRecords: [{ topic: 't', key: v.subject, value: Buffer.from(JSON.stringify(v)), headers: {} }] });
    return JSON.parse(out.suppressionRecords![0]!.value.toString()) as SuppressionValue;
  };

  it('keeps their reasons only, for at most 20,000 keys (a few MB, not the sealed addresses)', () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 25_000; i++) complete(bounce(i));
    gc();
    const retainedMb = (process.memoryUsage().heapUsed - before) / 1e6;
    assert.ok(writer.pendingSize() <= 20_000, `pending: ${writer.pendingSize()}`);
    assert.ok(retainedMb < 30, `retained ${retainedMb.toFixed(1)} MB for ${writer.pendingSize()} states`);
  });

  it('still merges a second record of a key in flight, and writes it with its own sealed address', () => {
    const first = complete(bounce(1, 1_000_000));
    const spam: SuppressionValue = { ...bounce(1, 2_000_000), reasons: { spamreport: { ...bounce(1, 2_000_000).reasons['bounce']! } } };
    const merged = complete(spam);
    assert.deepEqual(Object.keys(merged.reasons).sort(), ['bounce', 'spamreport'], 'the bounce not yet read back is merged');
    assert.deepEqual(merged.sections, spam.sections);
    assert.deepEqual(merged.keys, spam.keys);
    assert.notDeepEqual(merged.sections, first.sections);
  });

  it('merges the reasons the view holds (as its writer thread reported them) into a record that brings its own sealed address', () => {
    const held = bounce(7, 1_000_000);
    store.learn([['s7', held.reasons]]);
    const spam: SuppressionValue = { ...bounce(7, 3_000_000), reasons: { spamreport: { ...bounce(7, 3_000_000).reasons['bounce']! } } };
    const merged = complete(spam);
    assert.deepEqual(Object.keys(merged.reasons).sort(), ['bounce', 'spamreport']);
    assert.equal(merged.reasons['bounce']!.sinceOrd, held.reasons['bounce']!.sinceOrd);
    assert.deepEqual(merged.sections, spam.sections);
  });

  it('keeps the sealed address of the view for a record that has none (no department may read the address)', () => {
    const stored = bounce(8, 1_000_000);
    store.applyBatch(0, [{ key: 's8', value: stored }], 1);
    const bare: SuppressionValue = { ...bounce(8, 4_000_000), reasons: { unsubscribe: { ...bounce(8, 4_000_000).reasons['bounce']! } }, sections: {} };
    delete bare.keys;
    const merged = complete(bare);
    assert.deepEqual(Object.keys(merged.reasons).sort(), ['bounce', 'unsubscribe']);
    assert.deepEqual(merged.sections, stored.sections);
    assert.deepEqual(merged.keys, stored.keys);
  });
});
