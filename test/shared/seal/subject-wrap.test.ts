import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier, type KeyringNode } from '@aws-crypto/client-node';
import { sectionContext, type SectionPlaintext } from '../../../shared/envelope/index.js';
import { createSectionSealer, nativeSeal, type SealInput, type SubjectKey } from '../../../shared/seal/index.js';
import { SUBJECT_KEY_CONTEXT_KEY, SUBJECT_KEY_NAMESPACE, subjectKeyContext, type SubjectKeyPlaintext } from '../../../shared/subject-keys/index.js';
import { departmentKeyrings, edkOf, stock } from './support.js';

const keyrings = departmentKeyrings('support', 'security');
const newSubjectKey = (): SubjectKey => ({ id: randomBytes(16).toString('base64url'), key: randomBytes(32) });

/** The keyring a reader builds in step 2 of docs/forget.md: the stock raw AES keyring, nothing of ours. */
const subjectKeyring = (k: { id: string; key: Buffer }): KeyringNode =>
  new RawAesKeyringNode({
    keyNamespace: SUBJECT_KEY_NAMESPACE,
    keyName: k.id,
    unencryptedMasterKey: new Uint8Array(k.key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });

const input = (i: number, subjectKey: SubjectKey, department = 'support'): SealInput => ({
  id: `evt-${i}`,
  department,
  source: 'sendgrid',
  policyVersion: 3,
  fields: { email: `user${i}@example.com`, ip: '192.0.2.1' },
  subjectKey,
});

for (const path of ['native', 'javascript'] as const) {
  describe(`sections under a subject key (${path} writer)`, () => {
    const native = path === 'native' ? nativeSeal() : null;
    assert.ok(native !== undefined, 'the native core is built (npm run build:native)');
    const sealer = createSectionSealer({ materialsFor: (d) => keyrings.get(d)!, native });

    it('are standard ESDK messages the stock decrypt opens with a raw AES keyring holding the subject key', async () => {
      const k = newSubjectKey();
      const inputs = [input(1, k), input(2, k, 'security')];
      const sealed = await sealer.sealMany(inputs);
      for (const [i, message] of sealed.entries()) {
        const { plaintext, messageHeader } = await stock.decrypt(subjectKeyring(k), Buffer.from(message, 'base64'));
        const section = JSON.parse(Buffer.from(plaintext).toString('utf8')) as SectionPlaintext;
        assert.deepEqual(section, { id: inputs[i]!.id, department: inputs[i]!.department, fields: inputs[i]!.fields });
        assert.deepEqual({ ...messageHeader.encryptionContext }, { ...sectionContext(inputs[i]!.department, 'sendgrid', 3), [SUBJECT_KEY_CONTEXT_KEY]: k.id });
      }
    });

    it('cannot be opened with the department key, nor with another subject key', async () => {
      const k = newSubjectKey();
      const [message] = await sealer.sealMany([input(1, k)]);
      await assert.rejects(stock.decrypt(keyrings.get('support')!, Buffer.from(message!, 'base64')));
      await assert.rejects(stock.decrypt(subjectKeyring({ id: k.id, key: randomBytes(32) }), Buffer.from(message!, 'base64')));
    });

    it('reuses the materials of a subject key, and never shares them between subject keys', async () => {
      const a = newSubjectKey();
      const b = newSubjectKey();
      const [a1, b1, a2] = await sealer.sealMany([input(1, a), input(2, b), input(3, a)]);
      const [a3] = await sealer.sealMany([input(4, a)]);
      assert.equal(edkOf(a1!), edkOf(a2!));
      assert.equal(edkOf(a1!), edkOf(a3!));
      assert.notEqual(edkOf(a1!), edkOf(b1!));
    });
  });
}

describe('a discarded subject key', () => {
  it('is zeroed with the data key of its materials, and nothing is sealed under it afterwards', async () => {
    const real = nativeSeal()!;
    const dataKeys: Buffer[] = []; // the materials' own data key buffers, as the writer receives them
    const native = { ...real, sealBatch: (...args: Parameters<typeof real.sealBatch>) => (dataKeys.push(args[3]), real.sealBatch(...args)) };
    const sealer = createSectionSealer({ materialsFor: (d) => keyrings.get(d)!, native });
    const k = newSubjectKey();
    const kept = Buffer.from(k.key);
    const [message] = await sealer.sealMany([input(1, k)]);
    assert.equal(dataKeys.length, 1);
    assert.ok(!dataKeys[0]!.equals(Buffer.alloc(32)));

    sealer.discardSubjectKeys([k]);
    assert.ok(k.key.equals(Buffer.alloc(32)), 'the subject key is zeroed');
    assert.ok(dataKeys[0]!.equals(Buffer.alloc(32)), 'the data key of its materials is zeroed');
    await assert.rejects(sealer.sealMany([input(2, k)]), /discarded/, 'never a section under an all-zero key');
    const { plaintext } = await stock.decrypt(subjectKeyring({ id: k.id, key: kept }), Buffer.from(message!, 'base64'));
    assert.equal((JSON.parse(Buffer.from(plaintext).toString('utf8')) as SectionPlaintext).id, 'evt-1', 'what it sealed before is unchanged');
  });
});

describe('sealed subject keys', () => {
  it('open with the department keyring alone, and then open the section (the two stock steps)', async () => {
    const sealer = createSectionSealer({ materialsFor: (d) => keyrings.get(d)! });
    const keys = Array.from({ length: 200 }, (_, i) => ({ subject: `subject-${i}`, ...newSubjectKey() }));
    const records: SubjectKeyPlaintext[] = keys.map((k) => ({ keyId: k.id, subject: k.subject, department: 'support', key: k.key.toString('base64') }));
    const sealedKeys = await sealer.sealSubjectKeys(records);
    const sections = await sealer.sealMany(keys.map((k, i) => input(i, k)));
    assert.equal(sealer.stats().keyringCalls, 1, 'two hundred new subjects cost one request to the department keyring');
    assert.equal(sealer.stats().subjectMaterials, 200);

    for (const i of [0, 199]) {
      const step1 = await stock.decrypt(keyrings.get('support')!, Buffer.from(sealedKeys[i]!, 'base64'));
      assert.deepEqual({ ...step1.messageHeader.encryptionContext }, subjectKeyContext('support'));
      const opened = JSON.parse(Buffer.from(step1.plaintext).toString('utf8')) as SubjectKeyPlaintext;
      assert.deepEqual(opened, records[i]);
      const step2 = await stock.decrypt(subjectKeyring({ id: opened.keyId, key: Buffer.from(opened.key, 'base64') }), Buffer.from(sections[i]!, 'base64'));
      assert.equal((JSON.parse(Buffer.from(step2.plaintext).toString('utf8')) as SectionPlaintext).id, `evt-${i}`);
    }
    await assert.rejects(stock.decrypt(keyrings.get('security')!, Buffer.from(sealedKeys[0]!, 'base64')), 'another department cannot open the subject key');
  });
});
