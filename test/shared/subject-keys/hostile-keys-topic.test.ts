// Anyone with write access to the keys topic, against a reader: records forged for another person's key id, a
// forged tombstone, a replayed key record, forged forget markers. What the attacker may achieve is stopping sections
// from opening (it can tombstone real keys anyway); what it must not achieve is a reader that opens the wrong key,
// stops reading, or says "forgotten, the key is gone" while it holds the key. Stock-ESDK records (v2-fixtures.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalKeysOpener, type LockedSection, type ProfileOpener, type SectionResult } from '../../../shared/decrypt/index.js';
import { loadOrCreateLocalKey, localKeyring } from '../../../shared/seal/local-keys.js';
import { FORGOTTEN_SCHEMA, createKeyBook, forgottenRecordKey, subjectKeyRecordKey } from '../../../shared/subject-keys/index.js';
import { sealV2World, staticKeys, type KeysRecord, type V2World } from './v2-fixtures.js';

const lockOf = (s: SectionResult | undefined): LockedSection => {
  assert.equal(s?.state, 'locked', JSON.stringify(s));
  return s as LockedSection;
};

describe('a hostile keys topic against a reader', () => {
  let dir: string;
  let world: V2World;
  let opener: ProfileOpener;
  /** chris's support key record, as the service wrote it. */
  let genuine: KeysRecord & { value: string };
  const chrisRow = () => world.envelopes.find((e) => e.id.includes('-chris-'))!;
  /** chris's key id, claimed for example (and for security) with a copy of chris's own sealed key. */
  const forgedCopies = (): KeysRecord[] => {
    const v = JSON.parse(genuine.value) as Record<string, string>;
    const keyId = v.keyId!;
    const ex = world.people.example!.subject;
    return [
      { key: subjectKeyRecordKey(ex, 'support', keyId), value: JSON.stringify({ ...v, subject: ex }) },
      { key: subjectKeyRecordKey(v.subject!, 'security', keyId), value: JSON.stringify({ ...v, department: 'security' }) },
    ];
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-hostile-keys-'));
    const keys = join(dir, 'keys');
    const ring = (name: string) => localKeyring(name, loadOrCreateLocalKey(keys, name, { create: true }));
    world = await sealV2World({ departments: { support: ring('support'), security: ring('security') }, people: { example: 'example@test.com', chris: 'chris@gmail.com' }, perPerson: 2 });
    genuine = world.keyRecords.find((r) => r.key === subjectKeyRecordKey(world.people.chris!.subject, 'support', world.people.chris!.keys.support!)) as KeysRecord & { value: string };
    opener = createLocalKeysOpener({ localKeysDir: keys });
  });
  after(async () => {
    await opener.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("records claiming chris's key id for another person or department, written after his: his sections still open", async () => {
    const source = staticKeys([...world.keyRecords, ...forgedCopies()]);
    const [row] = await opener.open([chrisRow()], { subjectKeys: source });
    assert.equal(row!.sections.support!.state, 'open', JSON.stringify(row!.sections.support));
  });

  test("a forged tombstone of another person's record with chris's key id does not make his sections 'forgotten'", async () => {
    const tombstones = forgedCopies().map((r) => ({ key: r.key, value: null }));
    const source = staticKeys([...world.keyRecords, ...forgedCopies(), ...tombstones]);
    const [row] = await opener.open([chrisRow()], { subjectKeys: source });
    assert.equal(row!.sections.support!.state, 'open', JSON.stringify(row!.sections.support));
  });

  test('forged records, tombstones and a marker in any order never make the book throw (the follower would stop on it)', () => {
    const chris = world.people.chris!.subject;
    const marker = { key: forgottenRecordKey(chris), value: JSON.stringify({ schema: FORGOTTEN_SCHEMA, subject: chris, forgottenAt: new Date().toISOString() }) };
    const [copy] = forgedCopies();
    // chris's key id under example, then tombstoned, then chris forgotten: the book used to look up a key it no longer had.
    const orders: KeysRecord[][] = [
      [genuine, copy!, { key: copy!.key, value: null }, marker],
      [copy!, genuine, { key: genuine.key, value: null }, marker, { key: forgottenRecordKey(world.people.example!.subject), value: marker.value }],
    ];
    for (const records of orders) {
      const book = createKeyBook();
      assert.doesNotThrow(() => {
        for (const r of records) book.apply(r.key, r.value === null ? null : Buffer.from(r.value));
      });
    }
  });

  test('a key record written again after its tombstone (a saved copy, re-dated after the forget) stays shredded', async () => {
    const forgetAt = new Date(Date.now() - 30_000).toISOString();
    const replayed = { key: genuine.key, value: JSON.stringify({ ...JSON.parse(genuine.value), createdAt: new Date().toISOString() }) };
    const source = staticKeys([...world.keyRecords, ...world.forget('chris', forgetAt), replayed]);
    const [row] = await opener.open([chrisRow()], { subjectKeys: source });
    assert.equal(lockOf(row!.sections.support).code, 'forgotten');
  });

  test('a forget marker while the key record is still held says so, instead of "the key is gone"', async () => {
    const chris = world.people.chris!.subject;
    const marker = { key: forgottenRecordKey(chris), value: JSON.stringify({ schema: FORGOTTEN_SCHEMA, subject: chris, forgottenAt: new Date().toISOString() }) };
    const [row] = await opener.open([chrisRow()], { subjectKeys: staticKeys([...world.keyRecords, marker]) });
    const lock = lockOf(row!.sections.support);
    assert.equal(lock.code, 'forgotten', 'a marker alone still stops opening (its tombstones may come later)');
    assert.doesNotMatch(lock.message, /key is gone/);
    assert.match(lock.message, /still on the keys topic.*audit/);
  });

  test('a forget marker dated in the future is not one the service writes: skipped, the sections open', async () => {
    const chris = world.people.chris!.subject;
    const marker = { key: forgottenRecordKey(chris), value: JSON.stringify({ schema: FORGOTTEN_SCHEMA, subject: chris, forgottenAt: '2999-01-01T00:00:00.000Z' }) };
    const source = staticKeys([...world.keyRecords, marker]);
    const [row] = await opener.open([chrisRow()], { subjectKeys: source });
    assert.equal(row!.sections.support!.state, 'open', JSON.stringify(row!.sections.support));
    assert.equal(source.book.stats().skipped, 1);
  });
});
