import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sectionContext } from '../../../shared/envelope/index.js';
import { createSectionSealer, loadOrCreateLocalKey, localKeyring, nativeSeal, nativeSealStatus, SEAL_FRAME_LENGTH, SEAL_SUITE_ID } from '../../../shared/seal/index.js';
import { venvPython } from '../../support/moto.js';
import { tempKeyDir } from './support.js';

// Department consumers read with any ESDK. This opens fast-path sections with the Python SDK's stock
// decrypt (a RawMasterKey with the same namespace/name/key is the Python side of a raw AES keyring).
// Python with aws-encryption-sdk is $SEALPOST_TEST_ESDK_PYTHON, else the project's venv (`npm run tools:setup`, which CI runs).
const PYTHON = process.env.SEALPOST_TEST_ESDK_PYTHON ?? (existsSync(venvPython()) ? venvPython() : 'python3');
const probe = spawnSync(PYTHON, ['-c', 'import aws_encryption_sdk; print(aws_encryption_sdk.__version__)'], { encoding: 'utf8' });
const pythonVersion = probe.status === 0 ? probe.stdout.trim() : undefined;

const SCRIPT = `
import sys, json, base64
import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.identifiers import WrappingAlgorithm, EncryptionKeyType
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey
req = json.load(sys.stdin)
client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
out = []
for item in req:
    mk = RawMasterKey(provider_id='sealpost', key_id=item['keyName'].encode(), wrapping_key=WrappingKey(
        wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
        wrapping_key=bytes.fromhex(item['keyHex']), wrapping_key_type=EncryptionKeyType.SYMMETRIC))
    try:
        pt, header = client.decrypt(source=base64.b64decode(item['message']), key_provider=mk)
        out.append({'ok': True, 'plaintext': pt.decode('utf-8'), 'context': header.encryption_context, 'suite': header.algorithm.algorithm_id})
    except Exception as e:
        out.append({'ok': False, 'error': type(e).__name__})
print(json.dumps(out))
`;

interface PyResult {
  ok: boolean;
  plaintext?: string;
  context?: Record<string, string>;
  suite?: number;
  error?: string;
}

describe('cross-language: Python aws-encryption-sdk', () => {
  it(
    pythonVersion
      ? `the Python SDK ${pythonVersion} opens every section (native core and JavaScript writer) with its own stock decrypt, and only with the right key`
      : `skipped: no python with aws_encryption_sdk (${PYTHON}); run npm run tools:setup or set SEALPOST_TEST_ESDK_PYTHON`,
    { skip: !pythonVersion },
    async () => {
      const dir = tempKeyDir();
      const keys = new Map(['support', 'security'].map((d) => [d, loadOrCreateLocalKey(dir, d)]));
      const keyrings = new Map([...keys].map(([d, k]) => [d, localKeyring(d, k)]));
      const native = nativeSeal();
      assert.ok(native, `the native sealing core is built (npm run build:native): ${nativeSealStatus()}`);
      const inputs = [
        { id: 'e1', department: 'support', source: 'sendgrid-main', policyVersion: 2, fields: { email: 'bob@example.com', ip: '192.0.2.1' } },
        { id: 'e1', department: 'security', source: 'sendgrid-main', policyVersion: 2, fields: { email: 'bob@example.com', note: 'ünïcødé ✓' } },
        { id: 'e2', department: 'support', source: 'sendgrid-main', policyVersion: 2, fields: { blob: 'y'.repeat(SEAL_FRAME_LENGTH * 2 + 17) } },
        { id: 'e3', department: 'support', source: 'sendgrid-main', policyVersion: 2, fields: {} },
      ];
      // Both writers: the native core and the JavaScript fallback.
      const messages: string[] = [];
      for (const writer of [native, null]) {
        const sealer = createSectionSealer({ materialsFor: (d) => keyrings.get(d)!, native: writer });
        messages.push(...(await sealer.sealMany(inputs)));
        await sealer.close();
      }
      const all = [...inputs, ...inputs];
      const request = [
        ...messages.map((message, i) => ({ message, keyName: all[i]!.department, keyHex: keys.get(all[i]!.department)!.toString('hex') })),
        { message: messages[0]!, keyName: 'security', keyHex: keys.get('security')!.toString('hex') }, // the wrong department
      ];
      const run = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      const results = JSON.parse(run.stdout) as PyResult[];
      for (const [i, input] of all.entries()) {
        const r = results[i]!;
        assert.ok(r.ok, `section ${i} opens in Python (${r.error ?? ''})`);
        assert.deepEqual(JSON.parse(r.plaintext!), { id: input.id, department: input.department, fields: input.fields });
        assert.deepEqual(r.context, sectionContext(input.department, input.source, input.policyVersion));
        assert.equal(r.suite, SEAL_SUITE_ID);
      }
      assert.equal(results[all.length]!.ok, false, "another department's key does not open it in Python either");
    },
  );
});
