// The opener's fast path (shared/decrypt/fast-open.ts) against the stock ESDK decrypt(), with local raw
// AES keys: same plaintext and context for messages of every size and frame layout, every byte flip
// refused, truncation refused (native core and JavaScript fallback alike), and anything that is not V2/0x0478/framed left to the stock decrypt.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { AlgorithmSuiteIdentifier, NodeDefaultCryptographicMaterialsManager, type KeyringNode, type NodeMaterialsManager } from '@aws-crypto/client-node';
import { CommitmentPolicy } from '@aws-crypto/material-management-node';
import { createFastOpener, FAST_SUITE_ID, type FastOpener } from '../../../shared/decrypt/fast-open.js';
import { LockError } from '../../../shared/decrypt/lock-reason.js';
import { createOpeningMaterials } from '../../../shared/decrypt/opening-materials.js';
import { sectionContext } from '../../../shared/envelope/index.js';
import { createMessageWriter, SEAL_SUITE } from '../../../shared/seal/index.js';
import { nativeSeal } from '../../../shared/seal/native-seal.js';
import { departmentKeyrings, stock } from '../seal/support.js';

const context = sectionContext('support', 'sg-main', 4);
const keyrings = departmentKeyrings('support', 'other');
const keyring = keyrings.get('support')!;

/** The opener's own materials manager over `ring`, counting how often it is asked. */
function materialsOver(ring: KeyringNode): { materials: NodeMaterialsManager; asked: () => number } {
  let asked = 0;
  const inner = createOpeningMaterials({
    keyring: ring,
    maxAgeMs: 60_000,
    capacity: 100,
    failureTtlMs: 30_000,
    lockContext: () => ({ profile: undefined, identity: undefined, kmsWhere: 'nowhere', localKeysDir: '/keys', localKeys: new Set(['support']), localKeyProblems: new Map(), trustedAccounts: undefined }),
    departmentOf: () => 'support',
  });
  const materials = {
    getEncryptionMaterials: inner.getEncryptionMaterials,
    decryptMaterials: (request: Parameters<NodeMaterialsManager['decryptMaterials']>[0]) => {
      asked++;
      return inner.decryptMaterials(request);
    },
  } as NodeMaterialsManager;
  return { materials, asked: () => asked };
}

function fastOverWith(ring: KeyringNode, native: boolean): { fast: FastOpener; asked: () => number } {
  const { materials, asked } = materialsOver(ring);
  return { fast: createFastOpener({ materials, maxEncryptedDataKeys: 8, maxAgeMs: 60_000, capacity: 100, native }), asked };
}

async function stockEncrypt(plaintext: Uint8Array, frameLength: number, suiteId: AlgorithmSuiteIdentifier = FAST_SUITE_ID): Promise<Buffer> {
  const { result } = await stock.encrypt(keyring, plaintext, { suiteId, encryptionContext: context, frameLength });
  return result;
}

/** Fast path when it takes the message, stock decrypt otherwise: what the opener does. */
async function openLikeOpener(fast: FastOpener, message: Buffer): Promise<Buffer> {
  const opened = await fast.open(message);
  if (opened) return opened.plaintext;
  return (await stock.decrypt(keyring, message)).plaintext;
}

// Both openers: the native core (native/seal/open.c) and its JavaScript fallback answer every case alike.
for (const path of ['native', 'javascript'] as const) describe(`fast open (local keys, ${path})`, { skip: path === 'native' && !nativeSeal() ? 'native core not built: npm run build:native' : false }, () => {
  const fastOver = (ring: KeyringNode = keyring): { fast: FastOpener; asked: () => number } => fastOverWith(ring, path === 'native');
  test('random messages of 0..100 KB across frame boundaries open to exactly what stock decrypt() returns', async () => {
    const { fast } = fastOver();
    const cases: Array<{ size: number; frameLength: number; writer: 'stock' | 'sealer' }> = [];
    for (const frameLength of [4096, 100, 1]) {
      const sizes = frameLength === 1 ? [0, 1, 2, 37] : [0, 1, frameLength - 1, frameLength, frameLength + 1, 2 * frameLength, 3 * frameLength + 7];
      for (const size of sizes) cases.push({ size, frameLength, writer: 'stock' });
    }
    for (let i = 0; i < 40; i++) cases.push({ size: randomInt(0, 100 * 1024 + 1), frameLength: 4096, writer: i % 2 ? 'stock' : 'sealer' });
    cases.push({ size: 100 * 1024, frameLength: 4096, writer: 'sealer' });
    const material = await new NodeDefaultCryptographicMaterialsManager(keyring).getEncryptionMaterials({
      suite: SEAL_SUITE,
      encryptionContext: context,
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    });
    const writer = createMessageWriter(material);
    for (const c of cases) {
      const plaintext = randomBytes(c.size);
      const message = c.writer === 'sealer' ? writer.write(plaintext) : await stockEncrypt(plaintext, c.frameLength);
      const reference = await stock.decrypt(keyring, message);
      const opened = await fast.open(message);
      const what = `${c.writer} message of ${c.size} bytes, frames of ${c.frameLength}`;
      assert.ok(opened, `the fast path takes the ${what}`);
      assert.ok(opened.plaintext.equals(reference.plaintext), `same plaintext as stock for the ${what}`);
      assert.ok(opened.plaintext.equals(plaintext), `the ${what} round-trips`);
      assert.deepEqual({ ...opened.messageHeader.encryptionContext }, { ...reference.messageHeader.encryptionContext }, `same context for the ${what}`);
    }
  });

  test('every single-byte flip is refused, as stock decrypt() refuses it (one frame, and several frames)', async () => {
    const section = Buffer.from(JSON.stringify({ id: 'evt-1', department: 'support', fields: { email: 'user1@example.com', ip: '192.0.2.1' } }));
    for (const frameLength of [4096, 32]) {
      const message = await stockEncrypt(section, frameLength);
      const { fast } = fastOver();
      assert.ok((await openLikeOpener(fast, message)).equals(section), 'the untouched message opens');
      let refusedByFastPath = 0;
      for (let i = 0; i < message.length; i++) {
        const tampered = Buffer.from(message);
        tampered[i]! ^= 1 << i % 8;
        await assert.rejects(stock.decrypt(keyring, tampered), `stock refuses byte ${i} flipped (frames of ${frameLength})`);
        await assert.rejects(openLikeOpener(fast, tampered), `byte ${i} of ${message.length} flipped must not open (frames of ${frameLength})`);
        if (i >= 3) refusedByFastPath++; // bytes 0..2 (version, suite) send it to the stock path
      }
      assert.equal(refusedByFastPath, message.length - 3);
      // And the original still opens afterwards: no failure or bad key was remembered for it.
      assert.ok((await openLikeOpener(fast, message)).equals(section));
    }
  });

  test('a flipped message id or commitment is caught by the commitment check even when the data key is cached', async () => {
    const { fast, asked } = fastOver();
    const message = await stockEncrypt(Buffer.from('{"id":"evt-2"}'), 4096);
    await fast.open(message);
    assert.equal(asked(), 1);
    const headerLength = message.length - 16 /* header tag */ - (4 + 4 + 12 + 4 + 14 + 16); /* final frame */
    for (const at of [3, 34, headerLength - 1]) {
      const tampered = Buffer.from(message);
      tampered[at]! ^= 0x80;
      await assert.rejects(fast.open(tampered), /Commitment does not match/, `byte ${at}`);
    }
    assert.equal(asked(), 1, 'message id and commitment are not part of the data-key lookup: served from the cache, still refused');
  });

  test('every truncation is refused, and bytes after the final frame too (stock ignores those for unsigned suites)', async () => {
    const { fast } = fastOver();
    const message = await stockEncrypt(randomBytes(300), 128);
    for (let n = 0; n < message.length; n++) {
      await assert.rejects(openLikeOpener(fast, message.subarray(0, n)), `a message cut to ${n} of ${message.length} bytes must not open`);
    }
    const extended = Buffer.concat([message, Buffer.from([0])]);
    await assert.rejects(fast.open(extended), /after the final frame/);
    assert.ok((await stock.decrypt(keyring, extended)).plaintext.length === 300, 'stock opens it: the difference is deliberate');
  });

  test('messages the fast path does not take go to the stock decrypt without asking for a data key', async () => {
    const { fast, asked } = fastOver();
    const signed = await stockEncrypt(Buffer.from('{"id":"evt-3"}'), 4096, AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384);
    assert.equal(await fast.open(signed), undefined, 'the stock default (signing) suite is left to stock decrypt');
    assert.equal((await openLikeOpener(fast, signed)).toString(), '{"id":"evt-3"}');
    assert.equal(await fast.open(Buffer.from('not an ESDK message')), undefined);
    assert.equal(await fast.open(Buffer.alloc(0)), undefined);
    assert.equal(asked(), 0);
  });

  test('a message under a key this reader does not hold is refused with the materials manager\'s lock, asked once per data key', async () => {
    const { fast, asked } = fastOver(keyrings.get('other')!);
    const a = await stockEncrypt(Buffer.from('{"id":"a"}'), 4096);
    const err = await fast.open(a).catch((e: unknown) => e);
    assert.ok(err instanceof LockError, `expected a LockError, got ${String(err)}`);
    assert.equal(err.lock.code, 'no_local_key');
    await assert.rejects(fast.open(a), LockError);
    assert.equal(asked(), 2, 'each attempt asks the materials manager, which remembers the failure (no key cached)');
  });

  test('many messages under one data key ask the materials manager once', async () => {
    const { fast, asked } = fastOver();
    const material = await new NodeDefaultCryptographicMaterialsManager(keyring).getEncryptionMaterials({
      suite: SEAL_SUITE,
      encryptionContext: context,
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    });
    const writer = createMessageWriter(material);
    for (let i = 0; i < 50; i++) assert.equal((await fast.open(writer.write(Buffer.from(`{"id":"e${i}"}`))))!.plaintext.toString(), `{"id":"e${i}"}`);
    assert.equal(asked(), 1);
    fast.clear();
    await fast.open(writer.write(Buffer.from('{}')));
    assert.equal(asked(), 2, 'clear() forgets the keys');
  });
});
