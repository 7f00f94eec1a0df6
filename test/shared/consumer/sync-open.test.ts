// The kit's synchronous path (openSectionSync: keys already in hand, no promise per section) against its async path
// on the same records: the same events, field for field and lock for lock, for v1 and v2 records, tampered, moved and
// copied sections, and a subject forgotten after its key was opened; and it is really taken (no open() call).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsumerKeys, openRecords, type ConsumedRecord } from '../../../shared/consumer/index.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/index.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import { sealEnvelopes } from '../decrypt/fixtures.js';
import { staticKeys } from '../subject-keys/v2-fixtures.js';
import { createSubjects, sealSubjectEnvelopes } from '../subject-keys/v2-sealer.js';

const policy = { departments: { support: { keys: [{ local: 'support' }] }, security: { keys: [{ local: 'security' }] } } };

/** Flips one byte in the middle of a base64 section (inside the ciphertext). */
const flipped = (b64: string): string => {
  const b = Buffer.from(b64, 'base64');
  b[b.length - 20]! ^= 1;
  return b.toString('base64');
};

/** Counts the sections that reach the async open(). */
function counting(keys: EnvelopeOpener): EnvelopeOpener & { asyncSections: number; asyncIds: string[] } {
  const c = {
    ...keys,
    asyncSections: 0,
    asyncIds: [] as string[],
    async open(envelopes: readonly Envelope[], options?: Parameters<EnvelopeOpener['open']>[1]) {
      c.asyncSections += envelopes.length;
      c.asyncIds.push(...envelopes.map((e) => e.id));
      return keys.open(envelopes, options);
    },
  };
  return c;
}

describe('synchronous opening (keys in hand) gives what the async path gives', () => {
  const root = mkdtempSync(join(tmpdir(), 'sealpost-sync-open-'));
  const keysDir = join(root, 'keys');
  mkdirSync(keysDir, { mode: 0o700 });
  test.after(() => rmSync(root, { recursive: true, force: true }));

  test('v1 and v2 records, tampered, moved and copied sections, a forgotten subject', async () => {
    const v1 = await sealEnvelopes({ policy, count: 6, localDir: keysDir, idPrefix: 'v1' });
    const people = createSubjects(3);
    const { envelopes: v2, keyRecords } = await sealSubjectEnvelopes({ policy, people, count: 9, offset: 0, localDir: keysDir, idPrefix: 'v2' });
    const hostile: Envelope[] = [
      { ...v1[0]!, id: 'v1-flip', sections: { ...v1[0]!.sections, support: flipped(v1[0]!.sections.support!) } },
      { ...v1[1]!, id: 'v1-copied' }, // a genuine section under another record's id
      { ...v1[2]!, sections: { ...v1[2]!.sections, support: v1[2]!.sections.security! } }, // another department's section
      { ...v2[0]!, id: 'v2-flip', sections: { ...v2[0]!.sections, support: flipped(v2[0]!.sections.support!) } },
      { ...v2[1]!, id: 'v2-copied' },
      { ...v2[2]!, id: 'v2-moved', recipient: v2[0]!.recipient }, // another person's section and key id
      { ...v2[3]!, id: 'v2-no-subject', recipient: undefined },
    ];
    const all = [...v1, ...v2, ...hostile];
    const records = (envelopes: readonly Envelope[]): ConsumedRecord[] => envelopes.map((e, i) => ({ partition: 0, offset: String(i), value: Buffer.from(JSON.stringify(e)) }));

    const book = staticKeys(keyRecords);
    const reference = createConsumerKeys({ keysDir });
    const asyncOnly: EnvelopeOpener = { open: reference.open, identity: reference.identity, close: reference.close };
    const viaSync = counting(createConsumerKeys({ keysDir }));
    try {
      const expected = await openRecords(records(all), { department: 'support', keys: asyncOnly, subjectKeys: book });
      // First pass: nothing cached, everything goes through open(); second pass: everything opens synchronously.
      const cold = await openRecords(records(all), { department: 'support', keys: viaSync, subjectKeys: book });
      assert.equal(viaSync.asyncSections, all.length, 'a cold opener opens through the async path');
      viaSync.asyncIds.length = 0;
      const warm = await openRecords(records(all), { department: 'support', keys: viaSync, subjectKeys: book });
      // Except a key the book does not hold for that person: a miss is answered only after a read of the keys topic.
      assert.deepEqual(viaSync.asyncIds, ['v2-moved'], 'a warm opener opened every other section synchronously');
      assert.deepEqual(cold, expected);
      assert.deepEqual(warm, expected);
      const summary = warm.map((e) => (e.state === 'open' ? 'open' : e.locked.reason));
      assert.deepEqual(summary, [...Array(15).fill('open'), 'tampered', 'id_mismatch', 'context_mismatch', 'tampered', 'id_mismatch', 'context_mismatch', 'context_mismatch']);

      // Forget the first person after their key was opened: the synchronous path says forgotten at once.
      const subject = people.subjects[0]!;
      for (const r of keyRecords.filter((k) => k.key.includes(`/${subject}/`))) book.book.apply(r.key, null);
      const after = await openRecords(records(v2), { department: 'support', keys: viaSync, subjectKeys: book });
      const afterAsync = await openRecords(records(v2), { department: 'support', keys: asyncOnly, subjectKeys: book });
      assert.deepEqual(after, afterAsync);
      assert.deepEqual(
        after.map((e) => (e.state === 'open' ? 'open' : e.locked.reason)),
        v2.map((e) => (e.recipient === subject ? 'forgotten' : 'open')),
      );
    } finally {
      await reference.close();
      await viaSync.close();
    }
  });
});
