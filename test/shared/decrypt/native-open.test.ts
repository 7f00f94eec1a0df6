// The native open (native/seal/open.c) called directly, against its JavaScript twin (fast-body.ts
// openWithDataKey) and the stock decrypt(): same plaintext for stock encrypt() and sealer messages; any
// tampered, truncated or mis-described input throws (the process survives to check the next one).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { NodeAlgorithmSuite, NodeDefaultCryptographicMaterialsManager, unwrapDataKey } from '@aws-crypto/material-management-node';
import { deserializeFactory, type MessageHeaderV2 } from '@aws-crypto/serialize';
import { CommitmentPolicy } from '@aws-crypto/client-node';
import { openWithDataKey } from '../../../shared/decrypt/fast-body.js';
import { FAST_SUITE_ID } from '../../../shared/decrypt/fast-open.js';
import { sectionContext } from '../../../shared/envelope/index.js';
import { nativeSeal } from '../../../shared/seal/native-seal.js';
import { createMessageWriter, SEAL_SUITE } from '../../../shared/seal/index.js';
import { departmentKeyrings, stock } from '../seal/support.js';

const native = nativeSeal();
const keyring = departmentKeyrings('support').get('support')!;
const cmm = new NodeDefaultCryptographicMaterialsManager(keyring);
const context = sectionContext('support', 'sg-main', 4);
const { deserializeMessageHeader } = deserializeFactory((b: Uint8Array) => Buffer.from(b).toString('utf8'), NodeAlgorithmSuite);

/** The message's header as the SDK parses it, its length, and its data key as the SDK unwraps it. */
async function partsOf(message: Buffer): Promise<{ header: MessageHeaderV2; headerLength: number; dataKey: Buffer }> {
  const info = deserializeMessageHeader(message, { maxEncryptedDataKeys: 8 });
  assert.ok(info);
  const header = info.messageHeader as MessageHeaderV2;
  const material = await cmm.decryptMaterials({ suite: new NodeAlgorithmSuite(FAST_SUITE_ID), encryptionContext: header.encryptionContext, encryptedDataKeys: header.encryptedDataKeys });
  return { header, headerLength: info.rawHeader.byteLength, dataKey: Buffer.from(unwrapDataKey(material.getUnencryptedDataKey())) };
}

describe('native open', { skip: native ? false : 'native core not built: npm run build:native' }, () => {
  test('opens stock encrypt() and sealer messages of every frame layout to what JavaScript and stock decrypt() return', async () => {
    const material = await cmm.getEncryptionMaterials({ suite: SEAL_SUITE, encryptionContext: context, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT });
    const writer = createMessageWriter(material);
    const messages: Buffer[] = [];
    for (const frameLength of [4096, 100, 1]) {
      for (const size of frameLength === 1 ? [0, 1, 37] : [0, 1, frameLength - 1, frameLength, frameLength + 1, 3 * frameLength + 7]) {
        messages.push((await stock.encrypt(keyring, randomBytes(size), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength })).result);
      }
    }
    for (let i = 0; i < 20; i++) messages.push(writer.write(randomBytes(randomInt(0, 20_000))));
    for (const message of messages) {
      const { header, headerLength, dataKey } = await partsOf(message);
      const reference = (await stock.decrypt(keyring, message)).plaintext;
      const viaNative = native!.openMessage(message, headerLength, header.frameLength, dataKey);
      assert.ok(viaNative.equals(reference), `native == stock for a message of ${message.length} bytes`);
      assert.ok(openWithDataKey(message, header, headerLength, dataKey).equals(viaNative), 'native == JavaScript');
    }
  });

  test('every byte flip and every truncation throws, in native and JavaScript alike', async () => {
    const message = (await stock.encrypt(keyring, randomBytes(200), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength: 64 })).result;
    const { header, headerLength, dataKey } = await partsOf(message);
    for (let i = 0; i < message.length; i++) {
      const tampered = Buffer.from(message);
      tampered[i]! ^= 1 << i % 8;
      // The header fields are passed as parsed from the untouched message: the tags and the commitment must catch the flip.
      assert.throws(() => native!.openMessage(tampered, headerLength, header.frameLength, dataKey), `native: byte ${i} flipped`);
      assert.throws(() => openWithDataKey(tampered, { ...header, messageId: tampered.subarray(3, 35), suiteData: tampered.subarray(headerLength - 32, headerLength) }, headerLength, dataKey), `javascript: byte ${i} flipped`);
    }
    for (let n = 0; n < message.length; n++) {
      assert.throws(() => native!.openMessage(message.subarray(0, n), headerLength, header.frameLength, dataKey), `native: cut to ${n}`);
    }
    assert.throws(() => native!.openMessage(Buffer.concat([message, Buffer.from([0])]), headerLength, header.frameLength, dataKey), /after the final frame/);
    assert.throws(() => native!.openMessage(message, headerLength, header.frameLength, Buffer.from(randomBytes(32))), /Commitment does not match/);
  });

  test('lengths that lie (header length, frame length, data key) throw instead of reading out of bounds', async () => {
    const message = (await stock.encrypt(keyring, randomBytes(300), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength: 128 })).result;
    const { header, headerLength, dataKey } = await partsOf(message);
    for (const hl of [0, 1, 34, 75, headerLength - 1, headerLength + 1, message.length - 16, message.length, 0x7fffffff, 0xfffffff0, 0xffffffff]) {
      assert.throws(() => native!.openMessage(message, hl, header.frameLength, dataKey), `header length ${hl}`);
    }
    for (const fl of [0, 1, 127, 129, 0x7fffffff, 0xffffffff]) {
      assert.throws(() => native!.openMessage(message, headerLength, fl, dataKey), `frame length ${fl}`);
    }
    // A final frame claiming 4 GB of content (one-frame message; final frame: end mark 4, sequence 4, IV 12, length 4).
    const bodyStart = headerLength + 16;
    const single = (await stock.encrypt(keyring, randomBytes(44), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength: 128 })).result;
    const huge = Buffer.from(single);
    assert.equal(huge.readUInt32BE(bodyStart), 0xffffffff, 'the body starts with the final frame');
    huge.writeUInt32BE(0xffffffff, bodyStart + 4 + 4 + 12);
    assert.throws(() => native!.openMessage(huge, headerLength, 0xffffffff, dataKey), /Incomplete message/);
    assert.throws(() => native!.openMessage(huge, headerLength, 128, dataKey), /Final frame length exceeds frame length/);
    const zeroSeq = Buffer.from(message);
    zeroSeq.writeUInt32BE(0, bodyStart);
    assert.throws(() => native!.openMessage(zeroSeq, headerLength, header.frameLength, dataKey), /Malformed sequenceNumber/);
    assert.throws(() => native!.openMessage(message, headerLength, header.frameLength, dataKey.subarray(0, 31)), /32 bytes/);
    for (let i = 0; i < 200; i++) assert.throws(() => native!.openMessage(randomBytes(randomInt(0, 400)), randomInt(0, 400), randomInt(0, 300), dataKey));
    assert.ok(native!.openMessage(message, headerLength, header.frameLength, dataKey).length === 300, 'the untouched message still opens');
  });
});
