// The native open of a section under a subject key (native/seal/open-wrapped.c) called directly, against the stock
// decrypt() with a raw AES keyring holding that key (the documented step 2): same plaintext for stock encrypt() and
// sealer messages; a wrong key, a flipped byte anywhere, a wrong AAD and offsets that lie all throw.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-node';
import { walkHeaderV2 } from '../../../shared/decrypt/fast-header.js';
import { FAST_SUITE_ID } from '../../../shared/decrypt/fast-open.js';
import { findWrappedKey, headerContext, type HeaderContext } from '../../../shared/decrypt/subject-header.js';
import { sectionContext } from '../../../shared/envelope/index.js';
import { nativeSeal } from '../../../shared/seal/native-seal.js';
import { subjectSectionContext } from '../../../shared/seal/index.js';
import { SUBJECT_KEY_NAMESPACE } from '../../../shared/subject-keys/index.js';

const native = nativeSeal();
const stock = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const keyId = randomBytes(16).toString('base64url');
const subjectKey = randomBytes(32);
const keyring = (key: Buffer, name = keyId) =>
  new RawAesKeyringNode({ keyName: name, keyNamespace: SUBJECT_KEY_NAMESPACE, unencryptedMasterKey: new Uint8Array(key), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
const context = subjectSectionContext(sectionContext('support', 'sg-main', 3), keyId);

/** The offsets and AAD the kit finds by walking the header. */
function partsOf(message: Buffer): { ivAt: number; wrappedAt: number; ctx: HeaderContext } {
  const shape = walkHeaderV2(message);
  assert.ok(shape);
  const found = findWrappedKey(message, shape, Buffer.from(keyId), 8);
  assert.ok(found, 'the data key under the subject key is found');
  const ctx = headerContext(message, [], 4);
  assert.ok(ctx);
  return { ivAt: found.ivAt, wrappedAt: found.wrappedAt, ctx };
}

describe('native open of a section under a subject key', { skip: native ? false : 'native core not built: npm run build:native' }, () => {
  test('opens stock encrypt() messages of every frame layout, beside other data keys, to what stock decrypt() returns', async () => {
    const other = keyring(randomBytes(32), 'other-key-id-xxxxxxxxx');
    for (const frameLength of [4096, 100, 1]) {
      for (const size of frameLength === 1 ? [0, 1, 37] : [0, 1, frameLength, 3 * frameLength + 7]) {
        for (const multi of [false, true]) {
          const { result } = await stock.encrypt(multi ? new (await import('@aws-crypto/client-node')).MultiKeyringNode({ generator: other, children: [keyring(subjectKey)] }) : keyring(subjectKey), randomBytes(size), {
            suiteId: FAST_SUITE_ID,
            encryptionContext: context,
            frameLength,
          });
          const { ivAt, wrappedAt, ctx } = partsOf(result);
          const reference = (await stock.decrypt(keyring(subjectKey), result)).plaintext;
          assert.deepEqual({ ...ctx.encryptionContext }, { ...context });
          assert.ok(native!.openWrappedMessage(result, subjectKey, ivAt, wrappedAt, ctx.aad).equals(reference), `${size} bytes, frames of ${frameLength}, ${multi ? 'second' : 'only'} data key`);
        }
      }
    }
  });

  test('a wrong key or AAD, every flipped byte and every lying offset throw', async () => {
    const { result } = await stock.encrypt(keyring(subjectKey), randomBytes(200), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength: 64 });
    const { ivAt, wrappedAt, ctx } = partsOf(result);
    assert.throws(() => native!.openWrappedMessage(result, randomBytes(32), ivAt, wrappedAt, ctx.aad), /unable to authenticate/);
    assert.throws(() => native!.openWrappedMessage(result, subjectKey, ivAt, wrappedAt, Buffer.concat([ctx.aad, Buffer.from([0])])), /unable to authenticate/);
    for (let i = 0; i < result.length; i++) {
      const flipped = Buffer.from(result);
      flipped[i]! ^= 1 << i % 8;
      assert.throws(() => native!.openWrappedMessage(flipped, subjectKey, ivAt, wrappedAt, ctx.aad), `byte ${i} flipped`);
    }
    for (const [iv, wrapped] of [[ivAt + 1, wrappedAt], [ivAt, wrappedAt - 1], [0, 0], [result.length - 11, wrappedAt], [ivAt, result.length - 47], [0xffffffff, wrappedAt], [ivAt, 0xffffffff]] as const) {
      assert.throws(() => native!.openWrappedMessage(result, subjectKey, iv, wrapped, ctx.aad), `offsets ${iv}/${wrapped}`);
    }
    assert.throws(() => native!.openWrappedMessage(result, subjectKey.subarray(0, 31), ivAt, wrappedAt, ctx.aad), /32 bytes/);
    for (let i = 0; i < 100; i++) assert.throws(() => native!.openWrappedMessage(randomBytes(randomInt(0, 400)), subjectKey, randomInt(0, 400), randomInt(0, 400), ctx.aad));
    assert.equal(native!.openWrappedMessage(result, subjectKey, ivAt, wrappedAt, ctx.aad).length, 200, 'the untouched message still opens');
  });
});
