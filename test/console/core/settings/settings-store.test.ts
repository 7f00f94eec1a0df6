import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createSettingsStore, NO_SECRET_BOX, type SecretBox } from '../../../../electron/core/settings/settings-store.js';
import { kafkaConnectionSchema } from '../../../../shared/console-api/schemas.js';

/** A reversible box standing in for the OS keychain: what matters is that the file never holds the clear text. */
const fakeKeychain: SecretBox = {
  available: () => true,
  encrypt: (p) => Buffer.from(p).reverse().toString('base64'),
  decrypt: (s) => Buffer.from(s, 'base64').reverse().toString(),
};

const withDir = (fn: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-settings-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const scram = kafkaConnectionSchema.parse({ name: 'prod', brokers: ['b-1:9096'], tls: { enabled: true }, auth: { kind: 'scram-sha-512', username: 'ops', password: 'hunter2-secret' } });

test('a saved password is stored sealed, never in clear, and never in what the renderer gets', () => withDir((dir) => {
  const file = join(dir, 'settings.json');
  const store = createSettingsStore({ file, secrets: fakeKeychain });
  store.saveConnection(scram, 'hunter2-secret');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /hunter2/);
  const view = JSON.stringify(store.get());
  assert.doesNotMatch(view, /hunter2/);
  assert.equal(store.get().connections[0]!.auth.hasPassword, true);
  const again = createSettingsStore({ file, secrets: fakeKeychain });
  assert.equal(again.password('prod'), 'hunter2-secret');
}));

test('without an OS keychain the password is not saved at all', () => withDir((dir) => {
  const file = join(dir, 'settings.json');
  const store = createSettingsStore({ file, secrets: NO_SECRET_BOX });
  store.saveConnection(scram, 'hunter2-secret');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /hunter2/);
  assert.equal(store.password('prod'), undefined);
  assert.equal(store.get().secretsEncrypted, false);
  assert.equal(store.get().connections[0]!.auth.hasPassword, false);
}));

test('a damaged settings file is set aside and the console starts clean', () => withDir((dir) => {
  const file = join(dir, 'settings.json');
  writeFileSync(file, '{"connections": [{"connection": 42}]}');
  const store = createSettingsStore({ file, secrets: NO_SECRET_BOX });
  assert.deepEqual(store.get().connections, []);
  assert.ok(readdirSync(dir).some((f) => f.startsWith('settings.json.damaged-')));
  assert.equal(existsSync(file), false);
}));

test('forgetting a connection removes its sealed password too', () => withDir((dir) => {
  const file = join(dir, 'settings.json');
  const store = createSettingsStore({ file, secrets: fakeKeychain });
  store.saveConnection(scram, 'hunter2-secret');
  store.patch({ forgetConnection: 'prod' });
  assert.equal(store.password('prod'), undefined);
  assert.doesNotMatch(readFileSync(file, 'utf8'), /sealedPassword/);
}));
