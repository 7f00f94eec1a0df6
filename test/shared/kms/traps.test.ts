// The known traps of the AWS Encryption SDK for JavaScript that Sealpost depends on, each checked
// against the installed SDK so an upgrade (or downgrade) that changes them fails here first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, KmsKeyringNode, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-node';
import { accountCredentials, startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, serviceKmsClients, MOTO_REGION } from './moto-kms.js';
import { createKmsClients, departmentMaterials, discoveryFilterFor } from '../../../shared/kms/index.js';
import { LOCAL_KEY_NAMESPACE, localKeyring } from '../../../shared/seal/index.js';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

function versionAtLeast(version: string, min: [number, number, number]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < 3; i++) {
    const a = parts[i] ?? 0;
    if (a !== min[i]) return a > min[i]!;
  }
  return true;
}

describe('ESDK traps', () => {
  let moto: MotoServer;
  let salesKey: string;
  let financeKey: string;
  before(async () => {
    moto = await startMoto();
    salesKey = await createKeyIn(moto.endpoint, '111111111111');
    financeKey = await createKeyIn(moto.endpoint, '222222222222');
  });
  after(async () => moto?.stop());

  test('discoveryFilter is honoured (ignored by KmsKeyringNode before client-node 5.0.1): a filtered reader never asks KMS about a key of another account', async () => {
    const require = createRequire(import.meta.url);
    const { version } = require('@aws-crypto/kms-keyring-node/package.json') as { version: string };
    assert.ok(versionAtLeast(version, [5, 0, 1]), `@aws-crypto/kms-keyring-node ${version} ignores discoveryFilter; need >= 5.0.1`);

    const service = serviceKmsClients(moto.endpoint);
    const m = departmentMaterials({ departments: { finance: { keys: [{ kms: financeKey }] } } }, { kmsClients: service });
    const { result } = await encrypt(m.materialsFor('finance'), Buffer.from('{}'), { suiteId, encryptionContext: { 'sealpost:department': 'finance' } });
    service.destroy();

    // Credentials that COULD decrypt (finance's account), but the reader only trusts the sales account.
    const clients = createKmsClients({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: await accountCredentials(moto.endpoint, '222222222222') });
    const filter = discoveryFilterFor([salesKey]);
    assert.deepEqual(filter, { partition: 'aws', accountIDs: ['111111111111'] });
    const filtered = new KmsKeyringNode({ discovery: true, discoveryFilter: filter, clientProvider: clients.clientProvider });
    await assert.rejects(decrypt(filtered, result));
    assert.equal(clients.calls().total, 0, 'the filtered keyring must not call KMS for a key outside its accounts');
    const unfiltered = new KmsKeyringNode({ discovery: true, clientProvider: clients.clientProvider });
    assert.equal((await decrypt(unfiltered, result)).plaintext.toString(), '{}');
    assert.equal(clients.calls().byOperation.Decrypt, 1);
    clients.destroy();
  });

  test('the raw AES keyring zeroes the key buffer it is given, so localKeyring() hands it a copy', () => {
    const key = randomBytes(32);
    const copy = Buffer.from(key);
    new RawAesKeyringNode({ keyName: 'k', keyNamespace: LOCAL_KEY_NAMESPACE, unencryptedMasterKey: key, wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
    assert.ok(key.every((b) => b === 0), 'the SDK zeroed the caller buffer');
    localKeyring('k', copy);
    assert.ok(copy.some((b) => b !== 0), 'localKeyring left the caller buffer intact');
  });

  test('utf8Sorting: a raw AES keyring without it cannot open what a UTF-8-sorting writer (every other ESDK) sealed under a non-ASCII context', async () => {
    const key = randomBytes(32);
    // U+FFFF sorts after U+10000 in UTF-8 bytes but before it in UTF-16 code units (JavaScript's default).
    const encryptionContext = { 'k\uffff': 'a', 'k\u{10000}': 'b' };
    const writer = localKeyring('sales', key);
    const { result } = await encrypt(writer, Buffer.from('x'), { suiteId, encryptionContext });
    const utf16 = new RawAesKeyringNode({ keyName: 'sales', keyNamespace: LOCAL_KEY_NAMESPACE, unencryptedMasterKey: new Uint8Array(key), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
    await assert.rejects(decrypt(utf16, result));
    assert.equal((await decrypt(localKeyring('sales', key), result)).plaintext.toString(), 'x');
  });
});
