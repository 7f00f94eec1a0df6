import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  getLocalCryptographicMaterialsCache,
  KeyringNode,
  NodeCachingMaterialsManager,
  NodeDefaultCryptographicMaterialsManager,
  type NodeDecryptionMaterial,
  type NodeEncryptionMaterial,
  type NodeMaterialsManager,
} from '@aws-crypto/client-node';
import { sectionContext, type SectionPlaintext } from '../../../shared/envelope/index.js';
import { isSealpostError, SealpostError } from '../../../shared/errors/index.js';
import { createSectionSealer, SEAL_ERRORS, type SealInput } from '../../../shared/seal/index.js';
import { departmentKeyrings, edkOf, stock } from './support.js';

const keyrings = departmentKeyrings('support', 'security');
const support = keyrings.get('support')!;
const security = keyrings.get('security')!;
const byDepartment = (d: string): KeyringNode => {
  const k = keyrings.get(d);
  if (!k) throw new SealpostError('SP_TEST_UNKNOWN_DEPARTMENT', `no department ${d}`);
  return k;
};

function input(i: number, department = 'support', source = 'sendgrid-main', policyVersion = 1): SealInput {
  return { id: `evt-${i}`, department, source, policyVersion, fields: { email: `user${i}@example.com`, ip: `198.51.100.${i % 250}` } };
}

async function open(keyring: KeyringNode, message: string) {
  const { plaintext, messageHeader } = await stock.decrypt(keyring, Buffer.from(message, 'base64'));
  return { section: JSON.parse(Buffer.from(plaintext).toString('utf8')) as SectionPlaintext, context: { ...messageHeader.encryptionContext } };
}

/** A keyring that fails while `down` is true, as KMS does when unreachable. */
class FlakyKeyring extends KeyringNode {
  down = true;
  constructor(private readonly inner: KeyringNode) {
    super();
  }
  async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED kms'), { name: 'KMSUnreachable' });
    return this.inner.onEncrypt(material);
  }
  async _onDecrypt(material: NodeDecryptionMaterial, edks: Parameters<KeyringNode['onDecrypt']>[1]): Promise<NodeDecryptionMaterial> {
    return this.inner.onDecrypt(material, edks);
  }
}

describe('section sealer', () => {
  it('seals each input, in order, as a message its department opens with the stock decrypt()', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment });
    const inputs = [input(1, 'support'), input(1, 'security'), input(2, 'support', 'ses-eu', 4), input(2, 'security', 'ses-eu', 4)];
    const out = await sealer.sealMany(inputs);
    assert.equal(out.length, inputs.length);
    for (const [i, message] of out.entries()) {
      const want = inputs[i]!;
      const { section, context } = await open(byDepartment(want.department), message);
      assert.deepEqual(section, { id: want.id, department: want.department, fields: want.fields });
      assert.deepEqual(context, sectionContext(want.department, want.source, want.policyVersion));
    }
    assert.deepEqual(sealer.stats(), { sectionsSealed: 4, keyringCalls: 4, materialsRequests: 4, subjectMaterials: 0 });
    await sealer.close();
  });

  it("refuses to open a section with another department's keyring", async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment });
    const [forSupport] = await sealer.sealMany([input(7, 'support')]);
    await assert.rejects(stock.decrypt(security, Buffer.from(forSupport!, 'base64')), /unencryptedDataKey has not been set/);
    await sealer.close();
  });

  it('reuses materials within maxMessages and renews them past it', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment, limits: { maxMessages: 3 } });
    const out = await sealer.sealMany(Array.from({ length: 7 }, (_, i) => input(i)));
    const edks = out.map(edkOf);
    assert.equal(new Set(edks.slice(0, 3)).size, 1, 'messages 1-3 share a data key');
    assert.equal(new Set(edks.slice(3, 6)).size, 1, 'messages 4-6 share the next one');
    assert.equal(new Set(edks).size, 3, 'three data keys for seven messages');
    assert.deepEqual(sealer.stats(), { sectionsSealed: 7, keyringCalls: 3, materialsRequests: 3, subjectMaterials: 0 });
    for (const [i, m] of out.entries()) assert.equal((await open(support, m)).section.id, `evt-${i}`);
    await sealer.close();
  });

  it('holds materials across batches until maxAgeMs, then renews them', async () => {
    let clock = 1_000_000;
    const sealer = createSectionSealer({ materialsFor: byDepartment, limits: { maxAgeMs: 60_000 }, now: () => clock });
    const [a] = await sealer.sealMany([input(1)]);
    clock += 59_999;
    const [b] = await sealer.sealMany([input(2)]);
    clock += 1;
    const [c] = await sealer.sealMany([input(3)]);
    assert.equal(edkOf(a!), edkOf(b!));
    assert.notEqual(edkOf(b!), edkOf(c!));
    assert.equal(sealer.stats().keyringCalls, 2);
    await sealer.close();
  });

  it('renews materials past maxBytes, and seals a section larger than maxBytes under fresh materials of its own', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment, limits: { maxBytes: 300 } });
    const small = await sealer.sealMany([input(1), input(2)]); // ~90 bytes each
    const big: SealInput = { ...input(3), fields: { blob: 'x'.repeat(1000) } };
    const [large, after] = await sealer.sealMany([big, input(4)]);
    assert.equal(edkOf(small[0]!), edkOf(small[1]!));
    assert.notEqual(edkOf(large!), edkOf(small[1]!));
    assert.notEqual(edkOf(after!), edkOf(large!));
    assert.equal((await open(support, large!)).section.fields.blob, 'x'.repeat(1000));
    await sealer.close();
  });

  it('keeps separate materials per source and policy version (the encryption context differs)', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment });
    const out = await sealer.sealMany([input(1, 'support', 'a', 1), input(2, 'support', 'b', 1), input(3, 'support', 'a', 2), input(4, 'support', 'a', 1)]);
    assert.equal(new Set(out.map(edkOf)).size, 3);
    assert.equal(edkOf(out[0]!), edkOf(out[3]!));
    await sealer.close();
  });

  it('counts only the keyring calls that reach the keyring behind a CMM wrapped with hooks.countKeyring', async () => {
    const sealer = createSectionSealer({
      materialsFor: (d, hooks) =>
        new NodeCachingMaterialsManager({
          backingMaterials: hooks.countKeyring(byDepartment(d)),
          cache: getLocalCryptographicMaterialsCache(10),
          maxAge: 60_000,
        }),
      limits: { maxMessages: 10 },
    });
    await sealer.sealMany(Array.from({ length: 25 }, (_, i) => input(i)));
    assert.deepEqual(sealer.stats(), { sectionsSealed: 25, keyringCalls: 3, materialsRequests: 3, subjectMaterials: 0 });
    await sealer.close();
  });

  it('serialises the encryption context the CMM returns, including keys it adds', async () => {
    const addsKey: NodeMaterialsManager = {
      getEncryptionMaterials: (request) =>
        new NodeDefaultCryptographicMaterialsManager(support).getEncryptionMaterials({
          ...request,
          encryptionContext: { ...request.encryptionContext, 'sealpost:added-by-cmm': 'yes' },
        }),
      decryptMaterials: (request) => new NodeDefaultCryptographicMaterialsManager(support).decryptMaterials(request),
    };
    const sealer = createSectionSealer({ materialsFor: () => addsKey });
    const [m] = await sealer.sealMany([input(1)]);
    const { context } = await open(support, m!);
    assert.deepEqual(context, { ...sectionContext('support', 'sendgrid-main', 1), 'sealpost:added-by-cmm': 'yes' });
    assert.equal(sealer.stats().keyringCalls, 1, 'an uncounted CMM counts each materials request (upper bound)');
    await sealer.close();
  });

  it('rejects with a retriable error while the keyring is down, and seals once it is back', async () => {
    const flaky = new FlakyKeyring(support);
    const sealer = createSectionSealer({ materialsFor: () => flaky });
    await assert.rejects(sealer.sealMany([input(1)]), (err) => {
      assert.ok(isSealpostError(err, SEAL_ERRORS.materialsUnavailable));
      assert.equal(err.retriable, true);
      assert.match(err.message, /KMSUnreachable/);
      assert.doesNotMatch(err.message, /user1@example\.com/);
      return true;
    });
    flaky.down = false;
    const [m] = await sealer.sealMany([input(1)]);
    assert.equal((await open(support, m!)).section.id, 'evt-1');
    await sealer.close();
  });

  it('asks for materials once when batches race for the same department', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment });
    const [a, b] = await Promise.all([sealer.sealMany([input(1), input(2)]), sealer.sealMany([input(3)])]);
    assert.equal(new Set([...a, ...b].map(edkOf)).size, 1);
    assert.equal(sealer.stats().materialsRequests, 1);
    await sealer.close();
  });

  it('passes a SealpostError from materialsFor through, and wraps any other failure', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment });
    await assert.rejects(sealer.sealMany([input(1, 'marketing')]), (err) => isSealpostError(err, 'SP_TEST_UNKNOWN_DEPARTMENT'));
    const broken = createSectionSealer({
      materialsFor: () => {
        throw new TypeError('boom');
      },
    });
    await assert.rejects(broken.sealMany([input(1)]), (err) => isSealpostError(err, SEAL_ERRORS.noMaterialsManager) && !err.retriable);
    await sealer.close();
    await broken.close();
  });

  it('refuses a section JSON cannot hold, naming its index and not its values', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment });
    const bad: SealInput = { ...input(2), fields: { n: 10n } };
    await assert.rejects(sealer.sealMany([input(1), bad]), (err) => {
      assert.ok(isSealpostError(err, SEAL_ERRORS.unsealableSection));
      assert.equal(err.details?.index, 1);
      assert.equal(err.retriable, false);
      return true;
    });
    assert.equal(sealer.stats().sectionsSealed, 0, 'nothing sealed from a batch that cannot be sealed whole');
    await sealer.close();
  });

  it('refuses work after close()', async () => {
    const sealer = createSectionSealer({ materialsFor: byDepartment });
    await sealer.sealMany([input(1)]);
    await sealer.close();
    await assert.rejects(sealer.sealMany([input(2)]), (err) => isSealpostError(err, SEAL_ERRORS.closed));
  });

  it('refuses limits that are not positive integers', () => {
    assert.throws(() => createSectionSealer({ materialsFor: byDepartment, limits: { maxMessages: 0 } }), (err) => isSealpostError(err, SEAL_ERRORS.badLimits));
    assert.throws(() => createSectionSealer({ materialsFor: byDepartment, limits: { maxAgeMs: 1.5 } }), (err) => isSealpostError(err, SEAL_ERRORS.badLimits));
  });
});
