import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { isSealpostError } from '../../../shared/errors/index.js';
import { SECRET_FILE_ERRORS } from '../../../shared/secret-files/index.js';
import { DEFAULT_POLICY, policySchema } from '../../../shared/policy/index.js';
import {
  createSectionSealer,
  loadOrCreateLocalKey,
  localKeyring,
  localKeyringsFromPolicy,
  SEAL_ERRORS,
} from '../../../shared/seal/index.js';
import { stock, tempKeyDir } from './support.js';

const posix = process.platform !== 'win32';

describe('local department keys', () => {
  it('creates a 32-byte key file with mode 0600 in a 0700 folder, and reads the same key back', { skip: !posix && 'file modes are POSIX-only' }, () => {
    const dir = tempKeyDir();
    const key = loadOrCreateLocalKey(dir, 'support');
    assert.equal(key.length, 32);
    assert.equal(statSync(join(dir, 'support.key')).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(loadOrCreateLocalKey(dir, 'support').equals(key));
    assert.ok(!loadOrCreateLocalKey(dir, 'security').equals(key), 'each name has its own key');
    assert.deepEqual(readdirSync(dir).sort(), ['security.key', 'support.key'], 'no temp files left behind');
  });

  it('refuses a key file readable by others, saying how to fix it', { skip: !posix && 'file modes are POSIX-only' }, () => {
    const dir = tempKeyDir();
    loadOrCreateLocalKey(dir, 'support');
    chmodSync(join(dir, 'support.key'), 0o644);
    assert.throws(
      () => loadOrCreateLocalKey(dir, 'support'),
      (err) => isSealpostError(err, SECRET_FILE_ERRORS.permissions) && /chmod 600/.test(err.message) && !err.retriable,
    );
    chmodSync(join(dir, 'support.key'), 0o600);
    assert.equal(loadOrCreateLocalKey(dir, 'support').length, 32);
  });

  it('refuses a key folder group or others may open', { skip: !posix && 'file modes are POSIX-only' }, () => {
    const dir = tempKeyDir();
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o777);
    assert.throws(() => loadOrCreateLocalKey(dir, 'support'), (err) => isSealpostError(err, SECRET_FILE_ERRORS.permissions) && /chmod 700/.test(err.message));
  });

  it('refuses a key file of the wrong length instead of replacing it', () => {
    const dir = tempKeyDir();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'support.key'), Buffer.alloc(16, 1), { mode: 0o600 });
    assert.throws(() => loadOrCreateLocalKey(dir, 'support'), (err) => isSealpostError(err, SEAL_ERRORS.keyFileLength) && err.details?.length === 16);
  });

  it('does not create a key when asked not to (read-only tools)', () => {
    const dir = tempKeyDir();
    assert.throws(() => loadOrCreateLocalKey(dir, 'support', { create: false }), (err) => isSealpostError(err, SEAL_ERRORS.keyFileMissing));
  });

  it('refuses key names that are not plain file names', () => {
    const dir = tempKeyDir();
    for (const name of ['../escape', 'a/b', '', 'x'.repeat(65), 'dot.name']) {
      assert.throws(() => loadOrCreateLocalKey(dir, name), (err) => isSealpostError(err, SEAL_ERRORS.badKeyName), name);
    }
  });

  it('builds a raw AES keyring from a copy of the key, so the caller keeps its bytes', async () => {
    const key = loadOrCreateLocalKey(tempKeyDir(), 'support');
    const copy = Buffer.from(key);
    const keyring = localKeyring('support', key);
    assert.ok(key.equals(copy), 'the key buffer passed in is not zeroed');
    const { result } = await stock.encrypt(keyring, 'hello', { encryptionContext: { a: 'b' } });
    // A consumer with the same key file and the same namespace/name opens it.
    const consumer = localKeyring('support', copy);
    assert.equal(Buffer.from((await stock.decrypt(consumer, result)).plaintext).toString(), 'hello');
  });

  it('maps the default policy to one keyring per department', () => {
    const keyrings = localKeyringsFromPolicy(tempKeyDir(), policySchema.parse(DEFAULT_POLICY));
    assert.deepEqual([...keyrings.keys()].sort(), ['analytics', 'security', 'support']);
    for (const k of keyrings.values()) assert.ok(k.encrypt && k.decrypt);
  });

  it('after a rotation seals with the first key and still opens records sealed under the old one', async () => {
    const dir = tempKeyDir();
    const before = localKeyringsFromPolicy(dir, { departments: { support: { keys: [{ local: 'support-2024' }] } } });
    const after = localKeyringsFromPolicy(dir, { departments: { support: { keys: [{ local: 'support-2025' }, { local: 'support-2024' }] } } });
    const input = { id: 'e1', department: 'support', source: 's', policyVersion: 1, fields: { email: 'bob@example.com' } };
    const [old] = await createSectionSealer({ materialsFor: () => before.get('support')!.encrypt! }).sealMany([input]);
    const [fresh] = await createSectionSealer({ materialsFor: () => after.get('support')!.encrypt! }).sealMany([input]);
    const reader = after.get('support')!.decrypt;
    for (const m of [old!, fresh!]) assert.match(Buffer.from((await stock.decrypt(reader, Buffer.from(m, 'base64'))).plaintext).toString(), /"id":"e1"/);
    await assert.rejects(stock.decrypt(before.get('support')!.decrypt, Buffer.from(fresh!, 'base64')), 'the retired key cannot open new records');
  });

  it('leaves departments with only KMS keys to the KMS builder, and marks a KMS-first department as decrypt-only', () => {
    const keyrings = localKeyringsFromPolicy(tempKeyDir(), {
      departments: {
        finance: { keys: [{ kms: 'arn:aws:kms:eu-west-1:111122223333:key/abc' }] },
        support: { keys: [{ kms: 'arn:aws:kms:eu-west-1:111122223333:key/def' }, { local: 'support' }] },
      },
    });
    assert.deepEqual([...keyrings.keys()], ['support']);
    assert.equal(keyrings.get('support')!.encrypt, undefined);
  });

  it('opens sections with a client built the way a department consumer would (REQUIRE_ENCRYPT_REQUIRE_DECRYPT)', async () => {
    const keyrings = localKeyringsFromPolicy(tempKeyDir(), policySchema.parse(DEFAULT_POLICY));
    const sealer = createSectionSealer({ materialsFor: (d) => keyrings.get(d)!.encrypt! });
    const [m] = await sealer.sealMany([{ id: 'e9', department: 'security', source: 'ses', policyVersion: 1, fields: { 'mail.destination': ['a@b.c'] } }]);
    const consumer = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const { plaintext } = await consumer.decrypt(keyrings.get('security')!.decrypt, Buffer.from(m!, 'base64'));
    assert.deepEqual(JSON.parse(Buffer.from(plaintext).toString()), { id: 'e9', department: 'security', fields: { 'mail.destination': ['a@b.c'] } });
    await sealer.close();
  });
});
