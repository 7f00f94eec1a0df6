// Which keys topic the console opens v2 sections through: the one set in Settings wins, else the first signed-in
// service that reports one at sign-in, else the default; a fresh settings store knows only Settings and the default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseKeysTopic } from '../../../../electron/core/settings/keys-topic.js';
import { createSettingsStore, NO_SECRET_BOX } from '../../../../electron/core/settings/settings-store.js';

const A = { label: 'ingest-a', subjectKeysTopic: 'a.subject-keys' };
const B = { label: 'ingest-b', subjectKeysTopic: 'b.subject-keys' };
const OFF = { label: 'ingest-off', subjectKeysTopic: null };
const OLD = { label: 'ingest-old', subjectKeysTopic: undefined };

test('Settings, else the first signed-in service with a keys topic, else the default', () => {
  const cases: [string, string | null, (typeof A | typeof OFF | typeof OLD)[], [string, string, string | null]][] = [
    ['nothing set, no service', null, [], ['sealpost.subject-keys', 'default', null]],
    ['nothing set, one service', null, [A], ['a.subject-keys', 'service', 'ingest-a']],
    ['nothing set, a fleet: the first signed in to', null, [B, A], ['b.subject-keys', 'service', 'ingest-b']],
    ['a service with subject keys off is passed over', null, [OFF, A], ['a.subject-keys', 'service', 'ingest-a']],
    ['a service too old to say is passed over', null, [OLD], ['sealpost.subject-keys', 'default', null]],
    ['set in Settings: an override, whatever the services say', 'mine.keys', [A, B], ['mine.keys', 'settings', null]],
    ['an empty override is no override', '', [A], ['a.subject-keys', 'service', 'ingest-a']],
  ];
  for (const [why, set, services, [topic, from, service]] of cases) {
    const c = chooseKeysTopic(set, services);
    assert.deepEqual([c.subjectKeysTopic, c.subjectKeysTopicFrom, c.subjectKeysTopicService], [topic, from, service], why);
    assert.equal(c.subjectKeysTopicSet, set || null, why);
  }
});

test('the settings store keeps the override only: cleared, the view is the default again', () => {
  const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
  assert.deepEqual(pick(settings.get()), { subjectKeysTopic: 'sealpost.subject-keys', subjectKeysTopicSet: null, subjectKeysTopicFrom: 'default' });
  assert.deepEqual(pick(settings.patch({ subjectKeysTopic: 'mine.keys' })), { subjectKeysTopic: 'mine.keys', subjectKeysTopicSet: 'mine.keys', subjectKeysTopicFrom: 'settings' });
  // Saving another setting leaves the override as it is (the page sends what its field holds).
  assert.equal(settings.patch({ theme: 'light' }).subjectKeysTopicSet, 'mine.keys');
  assert.deepEqual(pick(settings.patch({ subjectKeysTopic: null })), { subjectKeysTopic: 'sealpost.subject-keys', subjectKeysTopicSet: null, subjectKeysTopicFrom: 'default' });
});

function pick(s: ReturnType<ReturnType<typeof createSettingsStore>['get']>) {
  return { subjectKeysTopic: s.subjectKeysTopic, subjectKeysTopicSet: s.subjectKeysTopicSet, subjectKeysTopicFrom: s.subjectKeysTopicFrom };
}
