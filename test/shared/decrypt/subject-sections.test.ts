// v2 sections (subject keys, crypto-shredding) through the shared opener, with local department keys and a keys book
// fed by hand: records built with the stock ESDK encrypt in the two documented steps (v2-fixtures.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalKeysOpener, type LockedSection, type ProfileOpener } from '../../../shared/decrypt/index.js';
import { loadOrCreateLocalKey, localKeyring } from '../../../shared/seal/local-keys.js';
import { subjectKeyRecordKey } from '../../../shared/subject-keys/index.js';
import { fieldsOf, sealV2World, staticKeys, type V2World } from '../subject-keys/v2-fixtures.js';

const lockOf = (s: unknown): LockedSection => {
  assert.equal((s as { state: string }).state, 'locked', JSON.stringify(s));
  return s as LockedSection;
};

describe('v2 sections: two-step opening, forgotten subjects, shredded keys dropped at once', () => {
  let dir: string;
  let world: V2World;
  const openers: ProfileOpener[] = [];
  const opener = (keysDir = join(dir, 'keys')): ProfileOpener => {
    const o = createLocalKeysOpener({ localKeysDir: keysDir });
    openers.push(o);
    return o;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-v2-open-'));
    const keys = join(dir, 'keys');
    const ring = (name: string) => localKeyring(name, loadOrCreateLocalKey(keys, name, { create: true }));
    world = await sealV2World({ departments: { support: ring('support'), security: ring('security') }, people: { example: 'example@test.com', chris: 'chris@gmail.com' }, perPerson: 3 });
  });
  after(async () => {
    for (const o of openers) await o.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every section opens in two steps (fast 0x0478 and the stock signed suite), fields as sealed', async () => {
    const source = staticKeys(world.keyRecords);
    const opened = await opener().open(world.envelopes, { subjectKeys: source });
    for (const [i, o] of opened.entries()) {
      const person = o.envelope.id.includes('chris') ? world.people.chris! : world.people.example!;
      for (const d of ['support', 'security']) {
        const s = o.sections[d]!;
        assert.equal(s.state, 'open', `${o.envelope.id} ${d}: ${JSON.stringify(s)}`);
        if (s.state === 'open') assert.deepEqual(s.fields, fieldsOf(d, person, i % 3));
      }
    }
  });

  test('a forgotten subject locks "forgotten on DATE" row by row; the other subject still opens', async () => {
    const source = staticKeys([...world.keyRecords, ...world.forget('chris', '2026-03-14T09:26:53.000Z')]);
    const opened = await opener().open(world.envelopes, { subjectKeys: source });
    for (const o of opened) {
      for (const s of Object.values(o.sections)) {
        if (!o.envelope.id.includes('chris')) {
          assert.equal(s.state, 'open');
          continue;
        }
        const lock = lockOf(s);
        assert.equal(lock.code, 'forgotten');
        assert.match(lock.message, /^forgotten on 2026-03-14/);
        assert.equal(lock.forgottenAt, '2026-03-14T09:26:53.000Z');
        assert.doesNotMatch(lock.message, /chris|gmail/);
      }
    }
  });

  test('a running opener stops at once when the book reads a tombstone, though it holds the opened key', async () => {
    const source = staticKeys(world.keyRecords);
    const o = opener();
    const chris = world.envelopes.filter((e) => e.id.includes('chris'));
    assert.equal((await o.open(chris, { subjectKeys: source }))[0]!.sections.support!.state, 'open');
    const dropped: string[] = [];
    source.onDrop((k) => k && dropped.push(k));
    // Only the tombstones (no marker yet): the key is gone, so the sections are shredded.
    for (const r of world.forget('chris').filter((x) => x.value === null)) source.book.apply(r.key, null);
    const person = world.people.chris!;
    assert.deepEqual(dropped.sort(), Object.entries(person.keys).map(([d, k]) => subjectKeyRecordKey(person.subject, d, k)).sort());
    for (const e of await o.open(chris, { subjectKeys: source })) {
      for (const s of Object.values(e.sections)) assert.equal(lockOf(s).code, 'forgotten');
    }
  });

  test('a forget marker alone shreds keys made before it; a key made after it (new consent) opens', async () => {
    const marker = world.forget('example', new Date().toISOString()).filter((r) => r.value !== null);
    const source = staticKeys([...world.keyRecords, ...marker]);
    const [before] = await opener().open(world.envelopes.slice(0, 1), { subjectKeys: source });
    assert.equal(lockOf(before!.sections.support).code, 'forgotten');
    const older = staticKeys([...world.keyRecords, ...world.forget('example', '2020-01-01T00:00:00.000Z').filter((r) => r.value !== null)]);
    const [after] = await opener().open(world.envelopes.slice(0, 1), { subjectKeys: older });
    assert.equal(after!.sections.support!.state, 'open', 'keys made after an old forget belong to new data');
  });

  test('a key the book does not hold locks subject_key_missing with what to do; no book at all says so too', async () => {
    const chrisKeys = new Set(Object.values(world.people.chris!.keys));
    const source = staticKeys(world.keyRecords.filter((r) => ![...chrisKeys].some((k) => r.key.endsWith(k))));
    const [e] = await opener().open(world.envelopes.filter((x) => x.id.includes('chris')).slice(0, 1), { subjectKeys: source });
    const lock = lockOf(e!.sections.support);
    assert.equal(lock.code, 'subject_key_missing');
    assert.match(lock.message, /not on sealpost\.subject-keys.*--keys-topic/);
    const [bare] = await opener().open(world.envelopes.slice(0, 1));
    assert.equal(lockOf(bare!.sections.support).code, 'subject_key_missing');
    assert.match(lockOf(bare!.sections.support).message, /does not follow the keys topic/);
  });

  test('moved, copied and altered v2 sections are tampered, never opened', async () => {
    const source = staticKeys(world.keyRecords);
    const [ex, ch] = [world.envelopes[0]!, world.envelopes.find((e) => e.id.includes('chris'))!];
    const flipped = Buffer.from(ex.sections.support!, 'base64');
    flipped[flipped.length - 5]! ^= 1;
    const cases = [
      // chris's section and key id in example's envelope: the key is another person's.
      { ...ex, id: 'moved-person', sections: { support: ch.sections.support! }, keys: { support: ch.keys!.support! } },
      // example's support section said to be under example's security key.
      { ...ex, id: 'other-dept-key', sections: { support: ex.sections.support! }, keys: { support: ex.keys!.security! } },
      // a genuine section of example copied into another envelope of example.
      { ...ex, id: 'copied', sections: { support: world.envelopes[1]!.sections.support! } },
      { ...ex, id: 'altered', sections: { support: flipped.toString('base64') } },
    ];
    const opened = await opener().open(cases, { subjectKeys: source });
    const checks = opened.map((o) => lockOf(o.sections.support));
    assert.deepEqual(checks.map((c) => c.code), ['tampered', 'tampered', 'tampered', 'tampered']);
    assert.deepEqual(checks.map((c) => c.check), ['context', 'context', 'id', 'authentication']);
  });

  test('without the department key, step 1 locks with today\'s reason (no local key), not "forgotten"', async () => {
    const mine = join(dir, 'support-only');
    mkdirSync(mine, { mode: 0o700 });
    copyFileSync(join(dir, 'keys', 'support.key'), join(mine, 'support.key'));
    chmodSync(join(mine, 'support.key'), 0o600);
    const [e] = await opener(mine).open(world.envelopes.slice(0, 1), { subjectKeys: staticKeys(world.keyRecords) });
    assert.equal(e!.sections.support!.state, 'open');
    assert.equal(lockOf(e!.sections.security).code, 'no_local_key');
  });
});
