// Interoperability: sections sealed by Sealpost open with another language's STOCK AWS Encryption SDK
// (Python aws-encryption-sdk from PyPI, in .tools/venv via scripts/moto/setup.sh), with the same key:
// a raw AES master key with Sealpost's namespace/name, and a KMS master key provider pointed at moto.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, buildClient } from '@aws-crypto/client-node';
import { accountCredentials, startMoto, venvPython, type MotoServer } from '../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../shared/kms/moto-kms.js';
import { fieldsFor, sealEnvelopes, SOURCE } from '../shared/decrypt/fixtures.js';
import { sectionContext } from '../../shared/envelope/index.js';
import { localKeyring } from '../../shared/seal/index.js';

const SCRIPT = fileURLToPath(new URL('./decrypt_with_python.py', import.meta.url));
const SUITE_0478 = 0x0478;

interface PyResult {
  plaintext?: string;
  context?: Record<string, string>;
  algorithm?: number;
  error?: string;
}

function pythonDecrypt(request: Record<string, unknown>, env: Record<string, string> = {}): { sdk: string; results: PyResult[] } {
  const res = spawnSync(venvPython(), [SCRIPT], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    timeout: 60_000,
    // A clean AWS environment: nothing from the developer's machine.
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
  assert.equal(res.status, 0, `python failed: ${res.error?.message ?? ''}\n${res.stderr}`);
  return JSON.parse(res.stdout) as { sdk: string; results: PyResult[] };
}

describe('Python aws-encryption-sdk opens Sealpost sections', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sealpost-interop-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('local key: RawMasterKey(provider "sealpost", key "support") decrypts what the sealer wrote, and nothing of security', async () => {
    const policy = { departments: { support: { keys: [{ local: 'support' }] }, security: { keys: [{ local: 'security' }] } } };
    const envelopes = await sealEnvelopes({ policy, count: 3, localDir: dir });
    const key = readFileSync(join(dir, 'support.key'));
    const out = pythonDecrypt({
      mode: 'raw',
      key_name: 'support',
      key_b64: key.toString('base64'),
      messages: [...envelopes.map((e) => e.sections.support!), envelopes[0]!.sections.security!],
    });
    console.log(`# python aws-encryption-sdk ${out.sdk}`);
    envelopes.forEach((e, i) => {
      const r = out.results[i]!;
      assert.equal(r.error, undefined, r.error);
      assert.deepEqual(JSON.parse(r.plaintext!), { id: e.id, department: 'support', fields: fieldsFor('support', i) });
      assert.deepEqual(r.context, sectionContext('support', SOURCE, 1));
      assert.equal(r.algorithm, SUITE_0478);
    });
    assert.match(out.results[3]!.error ?? '', /Decrypt|key/i, 'the support key must not open the security section');
  });

  test('utf8Sorting: a non-ASCII encryption context sealed with localKeyring() opens in Python (which sorts by UTF-8 bytes)', async () => {
    const key = readFileSync(join(dir, 'support.key'));
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const encryptionContext = { 'k\uffff': 'a', 'k\u{10000}': 'b', 'sealpost:department': 'support' };
    const { result } = await encrypt(localKeyring('support', key), Buffer.from('{"ok":true}'), {
      encryptionContext,
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
    });
    const out = pythonDecrypt({ mode: 'raw', key_name: 'support', key_b64: key.toString('base64'), messages: [result.toString('base64')] });
    assert.equal(out.results[0]!.error, undefined, out.results[0]!.error);
    assert.equal(out.results[0]!.plaintext, '{"ok":true}');
    assert.deepEqual(out.results[0]!.context, encryptionContext);
  });

  describe('KMS key (moto)', () => {
    let moto: MotoServer;
    before(async () => {
      moto = await startMoto();
    });
    after(async () => moto?.stop());

    test("StrictAwsKmsMasterKeyProvider with the department's key ARN decrypts what the sealer wrote", async () => {
      const account = '111111111111';
      const keyArn = await createKeyIn(moto.endpoint, account);
      const envelopes = await sealEnvelopes({ policy: { departments: { sales: { keys: [{ kms: keyArn }] } } }, count: 2, endpoint: moto.endpoint });
      const c = await accountCredentials(moto.endpoint, account);
      const out = pythonDecrypt(
        { mode: 'kms', key_arn: keyArn, messages: envelopes.map((e) => e.sections.sales!) },
        {
          AWS_ENDPOINT_URL_KMS: moto.endpoint,
          AWS_DEFAULT_REGION: MOTO_REGION,
          AWS_ACCESS_KEY_ID: c.accessKeyId,
          AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
          ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
        },
      );
      envelopes.forEach((e, i) => {
        const r = out.results[i]!;
        assert.equal(r.error, undefined, r.error);
        assert.deepEqual(JSON.parse(r.plaintext!), { id: e.id, department: 'sales', fields: fieldsFor('sales', i) });
        assert.deepEqual(r.context, sectionContext('sales', SOURCE, 1));
      });
    });
  });
});
