import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { accountCredentials, startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, serviceKmsClients, MOTO_REGION } from './moto-kms.js';
import { KMS_ERRORS, createKmsClients, departmentMaterials, type KmsClients } from '../../../shared/kms/index.js';
import { createSectionSealer, type SealInput } from '../../../shared/seal/index.js';
import { sectionContext, type SectionPlaintext } from '../../../shared/envelope/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';

const { decrypt, encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const SALES_ACCOUNT = '111111111111';
const FINANCE_ACCOUNT = '222222222222';
const ADDRESS = 'bob@example.com';

function inputs(department: string, n: number, from = 0, source = 'sg-main', policyVersion = 1): SealInput[] {
  return Array.from({ length: n }, (_, i) => ({ id: `evt-${from + i}`, department, source, policyVersion, fields: { email: ADDRESS, amount: from + i } }));
}

/** A reader holding credentials of one account, opening with a discovery KMS keyring (as any consumer would). */
async function reader(endpoint: string, account: string): Promise<{ open(b64: string): Promise<SectionPlaintext>; clients: KmsClients }> {
  const clients = createKmsClients({ region: MOTO_REGION, endpoint, credentials: await accountCredentials(endpoint, account), maxAttempts: 1 });
  const keyring = new KmsKeyringNode({ discovery: true, clientProvider: clients.clientProvider });
  return {
    clients,
    async open(b64) {
      const { plaintext } = await decrypt(keyring, Buffer.from(b64, 'base64'));
      return JSON.parse(plaintext.toString('utf8')) as SectionPlaintext;
    },
  };
}

describe('department materials over KMS (moto)', () => {
  let moto: MotoServer;
  let salesKey: string;
  let financeKey: string;
  before(async () => {
    moto = await startMoto();
    salesKey = await createKeyIn(moto.endpoint, SALES_ACCOUNT);
    financeKey = await createKeyIn(moto.endpoint, FINANCE_ACCOUNT);
  });
  after(async () => moto?.stop());

  const policyOf = (sales: string[], finance: string[]) => ({
    departments: { sales: { keys: sales.map((kms) => ({ kms })) }, finance: { keys: finance.map((kms) => ({ kms })) } },
  });

  test('each department is sealed under its own key; credentials of one account open only that department', async () => {
    const clients = serviceKmsClients(moto.endpoint);
    const m = departmentMaterials(policyOf([salesKey], [financeKey]), { kmsClients: clients });
    const sealer = createSectionSealer({ materialsFor: m.materialsFor, limits: m.limits });
    const [sales, finance] = await sealer.sealMany([...inputs('sales', 1), ...inputs('finance', 1)]);
    const salesReader = await reader(moto.endpoint, SALES_ACCOUNT);
    try {
      const opened = await salesReader.open(sales!);
      assert.deepEqual(opened, { id: 'evt-0', department: 'sales', fields: { email: ADDRESS, amount: 0 } });
      await assert.rejects(salesReader.open(finance!), /Unable to decrypt data key/);
      const financeReader = await reader(moto.endpoint, FINANCE_ACCOUNT);
      assert.equal((await financeReader.open(finance!)).department, 'finance');
      await assert.rejects(financeReader.open(sales!));
      financeReader.clients.destroy();
    } finally {
      salesReader.clients.destroy();
      await sealer.close();
      clients.destroy();
    }
  });

  test('100,000 sections per department cost at most 10 KMS calls per department', async () => {
    const clients = serviceKmsClients(moto.endpoint);
    const m = departmentMaterials(policyOf([salesKey], [financeKey]), { kmsClients: clients });
    const sealer = createSectionSealer({ materialsFor: m.materialsFor, limits: m.limits });
    const perDepartment = 100_000;
    const batch = 2_000;
    const sample: string[] = [];
    const started = performance.now();
    for (let from = 0; from < perDepartment; from += batch) {
      const out = await sealer.sealMany([...inputs('sales', batch, from), ...inputs('finance', batch, from)]);
      sample.push(out[batch - 1]!);
    }
    const ms = performance.now() - started;
    const calls = m.kmsCalls();
    const perDept100k = (calls.total / 2) * (100_000 / perDepartment);
    console.log(`# ${2 * perDepartment} sections in ${ms.toFixed(0)} ms; KMS calls ${JSON.stringify(calls.byOperation)}; kms_calls_per_100k per department = ${perDept100k}`);
    assert.ok(calls.total >= 2, 'each department needs at least one data key from KMS');
    assert.ok(perDept100k <= 10, `KMS calls per 100k per department: ${perDept100k}`);
    assert.equal(sealer.stats().keyringCalls, calls.byOperation.GenerateDataKey);
    const salesReader = await reader(moto.endpoint, SALES_ACCOUNT);
    try {
      const last = await salesReader.open(sample.at(-1)!);
      assert.equal(last.id, `evt-${perDepartment - 1}`);
    } finally {
      salesReader.clients.destroy();
      await sealer.close();
      clients.destroy();
    }
  });

  test('trap: an event id in the encryption context costs one KMS call per event (the caching CMM keys on the context)', async () => {
    const clients = serviceKmsClients(moto.endpoint);
    const m = departmentMaterials(policyOf([salesKey], [financeKey]), { kmsClients: clients });
    const cmm = m.materialsFor('sales');
    const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
    const body = Buffer.from('{"id":"x","department":"sales","fields":{}}');
    for (let i = 0; i < 20; i++) await encrypt(cmm, body, { suiteId, encryptionContext: sectionContext('sales', 'sg-main', 1) });
    const lowCardinality = m.kmsCalls().total;
    for (let i = 0; i < 20; i++) await encrypt(cmm, body, { suiteId, encryptionContext: { ...sectionContext('sales', 'sg-main', 1), 'sealpost:id': `evt-${i}` } });
    const perEvent = m.kmsCalls().total - lowCardinality;
    clients.destroy();
    assert.equal(lowCardinality, 1, 'stock encrypt() through materialsFor() reuses one data key');
    assert.equal(perEvent, 20, 'a per-event context makes every message a cache miss');
  });

  test('rotation: the new key seals alone; records under the old key stay readable by whoever may use the old key', async () => {
    const newSalesKey = await createKeyIn(moto.endpoint, '333333333333');
    const clients = serviceKmsClients(moto.endpoint);
    const v1 = departmentMaterials(policyOf([salesKey], [financeKey]), { kmsClients: clients });
    const v2 = departmentMaterials(policyOf([newSalesKey, salesKey], [financeKey]), { kmsClients: clients });
    const s1 = createSectionSealer({ materialsFor: v1.materialsFor });
    const s2 = createSectionSealer({ materialsFor: v2.materialsFor });
    const [oldRecord] = await s1.sealMany(inputs('sales', 1, 0, 'sg-main', 1));
    const [newRecord] = await s2.sealMany(inputs('sales', 1, 1, 'sg-main', 2));
    const oldReader = await reader(moto.endpoint, SALES_ACCOUNT);
    const newReader = await reader(moto.endpoint, '333333333333');
    try {
      assert.equal((await oldReader.open(oldRecord!)).id, 'evt-0');
      await assert.rejects(oldReader.open(newRecord!), 'the old key must not open records sealed after rotation');
      assert.equal((await newReader.open(newRecord!)).id, 'evt-1');
      const { messageHeader } = await decrypt(v2.keyringFor('sales'), Buffer.from(newRecord!, 'base64'));
      assert.deepEqual(messageHeader.encryptedDataKeys.map((k) => k.providerInfo), [newSalesKey]);
      // The service's v2 keyring still opens both generations (replay, re-sealing).
      const reopened = await decrypt(v2.keyringFor('sales'), Buffer.from(oldRecord!, 'base64'));
      assert.equal((JSON.parse(reopened.plaintext.toString()) as SectionPlaintext).id, 'evt-0');
    } finally {
      oldReader.clients.destroy();
      newReader.clients.destroy();
      await s1.close();
      await s2.close();
      clients.destroy();
    }
  });

  test('KMS unreachable: sealing rejects with a retriable SP_KMS_UNAVAILABLE and returns nothing', async () => {
    const own = await startMoto();
    const key = await createKeyIn(own.endpoint, SALES_ACCOUNT);
    const clients = serviceKmsClients(own.endpoint);
    const m = departmentMaterials({ departments: { sales: { keys: [{ kms: key }] } } }, { kmsClients: clients });
    const sealer = createSectionSealer({ materialsFor: m.materialsFor });
    await own.stop();
    let result: string[] | undefined;
    let error: unknown;
    try {
      result = await sealer.sealMany(inputs('sales', 3));
    } catch (err) {
      error = err;
    } finally {
      await sealer.close();
      clients.destroy();
    }
    assert.equal(result, undefined);
    assert.ok(isSealpostError(error) && error.retriable, 'retriable: the forwarder keeps the events in the journal');
    const cause = error.cause;
    assert.ok(isSealpostError(cause, KMS_ERRORS.unavailable), `cause is ${String((cause as Error)?.message)}`);
    assert.equal(cause.retriable, true);
    const everything = JSON.stringify([error.message, error.details, cause.message, cause.details]);
    assert.ok(!everything.includes(ADDRESS), 'no personal value in the error');
  });
});
