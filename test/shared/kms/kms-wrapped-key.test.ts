// Tests shared/blind-index/kms-wrapped-key.ts (kept beside the other KMS tests).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountCredentials, startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from './moto-kms.js';
import { KMS_ERRORS, createKmsClients, type KmsClients } from '../../../shared/kms/index.js';
import { DecryptCommand } from '@aws-sdk/client-kms';
import { INDEX_KEY_CONTEXT, WRAPPED_INDEX_KEY_FILE, loadOrCreateKmsWrappedIndexKey } from '../../../shared/blind-index/kms-wrapped-key.js';
import { createBlindIndexer } from '../../../shared/blind-index/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';

const ACCOUNT = '444444444444';

describe('KMS-wrapped blind-index key (moto)', () => {
  let moto: MotoServer;
  let keyArn: string;
  let dir: string;
  const clients: KmsClients[] = [];
  const clientsFor = async (account: string) => {
    const c = createKmsClients({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: await accountCredentials(moto.endpoint, account), maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  before(async () => {
    moto = await startMoto();
    keyArn = await createKeyIn(moto.endpoint, ACCOUNT);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await moto?.stop();
  });

  test('generated once, stored only wrapped, unwrapped at the next start to the same key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealpost-bik-'));
    const first = await clientsFor(ACCOUNT);
    const key = await loadOrCreateKmsWrappedIndexKey({ keyId: keyArn, dir, kms: first.client });
    assert.equal(key.length, 32);
    assert.deepEqual(first.calls().byOperation, { GenerateDataKey: 1 });
    const path = join(dir, WRAPPED_INDEX_KEY_FILE);
    const stored = readFileSync(path);
    assert.equal(stored.indexOf(key), -1, 'the key is not in the file');
    assert.equal(stored.indexOf(key.toString('base64')), -1, 'nor its base64');
    assert.equal(statSync(path).mode & 0o777, 0o600);

    const second = await clientsFor(ACCOUNT);
    const again = await loadOrCreateKmsWrappedIndexKey({ keyId: keyArn, dir, kms: second.client, create: false });
    assert.deepEqual(second.calls().byOperation, { Decrypt: 1 });
    assert.ok(again.equals(key));
    assert.equal(createBlindIndexer(again)('Bob <Bob@Example.com>'), createBlindIndexer(key)('bob@example.com'));
  });

  test('a principal that may not use the key cannot unwrap it: a retriable SP_KMS error, no key', async () => {
    const stranger = await clientsFor('555555555555');
    await assert.rejects(loadOrCreateKmsWrappedIndexKey({ keyId: keyArn, dir, kms: stranger.client, create: false }), (err: unknown) => {
      assert.ok(isSealpostError(err, KMS_ERRORS.keyUnusable), String(err));
      assert.equal(err.retriable, true);
      return true;
    });
  });

  test('a reader without the wrapped file is told where it comes from', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sealpost-bik-'));
    const c = await clientsFor(ACCOUNT);
    await assert.rejects(loadOrCreateKmsWrappedIndexKey({ keyId: keyArn, dir: empty, kms: c.client, create: false }), (err: unknown) => {
      assert.ok(isSealpostError(err, KMS_ERRORS.wrappedKeyFile));
      assert.match(err.message, /missing: copy it from the ingest service key folder/);
      return true;
    });
    assert.equal(c.calls().total, 0);
    rmSync(empty, { recursive: true, force: true });
  });

  test('moving to another KMS key re-wraps the same HMAC key (indexes unchanged); the old key no longer unwraps it', async () => {
    const c = await clientsFor(ACCOUNT);
    const before = await loadOrCreateKmsWrappedIndexKey({ keyId: keyArn, dir, kms: c.client });
    const newKey = await createKeyIn(moto.endpoint, ACCOUNT);
    const after = await loadOrCreateKmsWrappedIndexKey({ keyId: newKey, dir, kms: c.client });
    assert.ok(after.equals(before));
    const file = JSON.parse(readFileSync(join(dir, WRAPPED_INDEX_KEY_FILE), 'utf8')) as { keyArn: string; ciphertext: string };
    assert.equal(file.keyArn, newKey);
    await assert.rejects(
      c.client.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: Buffer.from(file.ciphertext, 'base64'), EncryptionContext: { ...INDEX_KEY_CONTEXT } })),
      'the stored blob is wrapped under the new key only',
    );
    const reread = await loadOrCreateKmsWrappedIndexKey({ keyId: newKey, dir, kms: c.client, create: false });
    assert.ok(reread.equals(before));
    rmSync(dir, { recursive: true, force: true });
  });

  test('two services starting at once end up with one key', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'sealpost-bik-'));
    const [a, b] = await Promise.all([clientsFor(ACCOUNT), clientsFor(ACCOUNT)]);
    const [ka, kb] = await Promise.all([
      loadOrCreateKmsWrappedIndexKey({ keyId: keyArn, dir: shared, kms: a.client }),
      loadOrCreateKmsWrappedIndexKey({ keyId: keyArn, dir: shared, kms: b.client }),
    ]);
    assert.ok(ka.equals(kb));
    rmSync(shared, { recursive: true, force: true });
  });
});
