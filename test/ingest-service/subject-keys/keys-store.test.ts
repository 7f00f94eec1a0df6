import assert from 'node:assert/strict';
import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FORGOTTEN_SCHEMA, SUBJECT_KEY_SCHEMA, parseKeysTopicRecord, subjectKeyRecordKey } from '../../../shared/subject-keys/index.js';
import { openForgottenLookup } from '../../../ingest-service/src/subject-keys/forgotten-lookup.js';
import { KEYS_STORE_FILE, openKeysStore } from '../../../ingest-service/src/subject-keys/keys-store.js';
import { tempDataDir } from '../../support/ingest.js';

const F = Date.parse('2026-03-01T12:00:00Z');
const keyId = (n: number) => `k${String(n).padStart(21, '0')}`;
const keyRec = (subject: string, department: string, id: string, createdAt: number, instance: string) => {
  const value = { schema: SUBJECT_KEY_SCHEMA, subject, department, keyId: id, createdAt: new Date(createdAt).toISOString(), instance, sealed: 'AQID' };
  return parseKeysTopicRecord(subjectKeyRecordKey(subject, department, id), Buffer.from(JSON.stringify(value)));
};
const marker = (subject: string, at: number) => parseKeysTopicRecord(`forgotten/${subject}`, Buffer.from(JSON.stringify({ schema: FORGOTTEN_SCHEMA, subject, forgottenAt: new Date(at).toISOString() })));

describe('subject-keys store: the follower\'s view of the keys topic, on disk', () => {
  it('is owner-only and refuses a symlink planted in its place', () => {
    const dir = tempDataDir();
    openKeysStore({ dataDir: dir, topic: 't', self: 'me' }).close();
    assert.equal(statSync(join(dir, KEYS_STORE_FILE)).mode & 0o777, 0o600);
    const other = tempDataDir();
    writeFileSync(join(other, 'elsewhere.db'), '');
    symlinkSync(join(other, 'elsewhere.db'), join(other, KEYS_STORE_FILE));
    assert.throws(() => openKeysStore({ dataDir: other, topic: 't', self: 'me' }), /subject-keys store/);
  });

  it('keys, then a marker on another partition: the old keys become pending tombstones, expand is told, a restart continues', () => {
    const dir = tempDataDir();
    let store = openKeysStore({ dataDir: dir, topic: 't', self: 'me', now: () => F + 1000 });
    const a = store.apply(0, [
      { offset: '0', record: keyRec('S', 'support', keyId(1), F - 60_000, 'other') },
      { offset: '1', record: keyRec('S', 'finance', keyId(2), F - 60_000, 'me') },
      { offset: '2', record: keyRec('T', 'support', keyId(3), F - 60_000, 'other') },
      { offset: '3', record: undefined },
    ], '4');
    assert.deepEqual(a, { tombstones: [], notices: [], ownShredded: [], skipped: 1 });
    assert.equal(store.liveKeys('S').length, 2);
    const m = store.apply(1, [{ offset: '0', record: marker('S', F) }], '1');
    assert.deepEqual(m.notices, [{ subject: 'S', forgottenAtMs: F }]);
    assert.deepEqual(m.tombstones.sort(), [subjectKeyRecordKey('S', 'finance', keyId(2)), subjectKeyRecordKey('S', 'support', keyId(1))]);
    assert.equal(store.liveKeys('S').length, 0);
    assert.equal(store.liveKeys('T').length, 1, 'another subject keeps its key');
    // A key of S made before F that shows up later in the topic is shredded on arrival.
    const late = store.apply(0, [{ offset: '4', record: keyRec('S', 'support', keyId(4), F - 1, 'other') }], '5');
    assert.deepEqual(late.tombstones, [subjectKeyRecordKey('S', 'support', keyId(4))]);
    store.close();

    store = openKeysStore({ dataDir: dir, topic: 't', self: 'me2' });
    assert.deepEqual([...store.positions()], [[0, 5n], [1, 1n]]);
    assert.equal(store.pendingTombstones().length, 3, 'tombstones not yet acknowledged survive a restart');
    store.produced(store.pendingTombstones());
    assert.equal(store.pendingTombstones().length, 0);
    const lookup = openForgottenLookup(dir);
    assert.equal(lookup.forgottenAt('S'), F);
    assert.equal(lookup.forgottenAt('T'), undefined);
    lookup.close();
    store.close();

    store = openKeysStore({ dataDir: dir, topic: 'another-topic', self: 'me2' });
    assert.equal(store.positions().size, 0, 'pointed at another topic, it starts empty');
    assert.equal(store.forgotten('S'), undefined);
    store.close();
  });

  it('a key of its own made just after the forget (within the grace) is shredded on arrival and expand is told to drop it; another instance\'s stays', () => {
    const store = openKeysStore({ dataDir: tempDataDir(), topic: 't', self: 'me', now: () => F + 100 });
    store.apply(0, [{ offset: '0', record: marker('S', F) }], '1');
    const late = store.apply(1, [
      { offset: '0', record: keyRec('S', 'support', keyId(1), F + 500, 'me') },
      { offset: '1', record: keyRec('S', 'support', keyId(2), F + 500, 'other') },
      { offset: '2', record: keyRec('S', 'support', keyId(3), F + 100 + 60_000, 'me') },
    ], '3');
    assert.deepEqual(late.tombstones, [subjectKeyRecordKey('S', 'support', keyId(1))]);
    assert.deepEqual(late.ownShredded, [subjectKeyRecordKey('S', 'support', keyId(1))], 'its workers may hold that key: they drop it');
    assert.deepEqual(late.notices, [], 'not a new forget');
    assert.deepEqual(store.liveKeys('S').map((k) => k.keyId), [keyId(2), keyId(3)]);
    store.close();
  });

  it('a marker dated more than an hour ahead is skipped, as the readers skip it: it was not written by a forget', () => {
    const store = openKeysStore({ dataDir: tempDataDir(), topic: 't', self: 'me', now: () => F });
    store.apply(0, [{ offset: '0', record: keyRec('S', 'support', keyId(1), F - 5, 'other') }], '1');
    const a = store.apply(1, [{ offset: '0', record: marker('S', F + 2 * 3_600_000) }], '1');
    assert.deepEqual([a.notices, a.tombstones, a.skipped], [[], [], 1]);
    assert.equal(store.forgotten('S'), undefined);
    assert.equal(store.liveKeys('S').length, 1);
    store.close();
  });

  it('forgetLocally drops the tombstoned keys and judges a key that arrived meanwhile', () => {
    const store = openKeysStore({ dataDir: tempDataDir(), topic: 't', self: 'me' });
    store.apply(0, [
      { offset: '0', record: keyRec('S', 'support', keyId(1), F - 5, 'other') },
      { offset: '1', record: keyRec('S', 'support', keyId(2), F - 3, 'other') },
    ], '2');
    const pending = store.forgetLocally('S', F, [subjectKeyRecordKey('S', 'support', keyId(1))]);
    assert.deepEqual(pending, [subjectKeyRecordKey('S', 'support', keyId(2))]);
    assert.equal(store.liveKeys('S').length, 0);
    assert.equal(store.forgotten('S')?.forgottenAtMs, F);
    // The follower then reads the same marker: nothing more to do, no second notice.
    assert.deepEqual(store.apply(1, [{ offset: '0', record: marker('S', F) }], '1').notices, []);
    store.close();
  });
});
