// The native open (native/seal/open.c) called directly, against its JavaScript twin (fast-body.ts
// openWithDataKey) and the stock decrypt(): same plaintext for stock encrypt() and sealer messages; any
// tampered, truncated or mis-described input throws (the process survives to check the next one). It reads the
// header's length and frame length from the message itself: an authentic header stating another frame length is
// honoured or refused exactly as the stock decrypt() does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes, randomInt } from 'node:crypto';
import { NodeAlgorithmSuite, NodeDefaultCryptographicMaterialsManager, unwrapDataKey } from '@aws-crypto/material-management-node';
import { deserializeFactory, kdfCommitKeyInfo, type MessageHeaderV2 } from '@aws-crypto/serialize';
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
      const viaNative = native!.openMessage(message, dataKey);
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
      // Native reads the header from the flipped bytes; JavaScript is given the untouched message's lengths: the tags,
      // the commitment or the length checks must catch the flip either way.
      assert.throws(() => native!.openMessage(tampered, dataKey), `native: byte ${i} flipped`);
      assert.throws(() => openWithDataKey(tampered, { ...header, messageId: tampered.subarray(3, 35), suiteData: tampered.subarray(headerLength - 32, headerLength) }, headerLength, dataKey), `javascript: byte ${i} flipped`);
    }
    for (let n = 0; n < message.length; n++) {
      assert.throws(() => native!.openMessage(message.subarray(0, n), dataKey), `native: cut to ${n}`);
    }
    assert.throws(() => native!.openMessage(Buffer.concat([message, Buffer.from([0])]), dataKey), /after the final frame/);
    assert.throws(() => native!.openMessage(message, Buffer.from(randomBytes(32))), /Commitment does not match/);
  });

  test('length fields of the message that lie (context, data keys, frame length, final frame) throw instead of reading out of bounds', async () => {
    const message = (await stock.encrypt(keyring, randomBytes(300), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength: 128 })).result;
    const { headerLength, dataKey } = await partsOf(message);
    const ecLength = 35; // version 1 | suite 2 | message id 32 | EC length 2 ...
    const edkCount = ecLength + 2 + message.readUInt16BE(ecLength);
    const frameLengthAt = headerLength - 32 - 4;
    const lying = (at: number, value: number, bytes: 1 | 2 | 4): Buffer => {
      const b = Buffer.from(message);
      if (bytes === 1) b.writeUInt8(value, at);
      else if (bytes === 2) b.writeUInt16BE(value, at);
      else b.writeUInt32BE(value, at);
      return b;
    };
    for (const v of [0, 1, message.readUInt16BE(ecLength) - 1, message.readUInt16BE(ecLength) + 1, message.length, 0xffff]) {
      assert.throws(() => native!.openMessage(lying(ecLength, v, 2), dataKey), `context length ${v}`);
    }
    assert.throws(() => native!.openMessage(lying(edkCount, 0, 2), dataKey), /No EncryptedDataKey found/);
    for (const v of [2, 3, 0xffff]) assert.throws(() => native!.openMessage(lying(edkCount, v, 2), dataKey), `data key count ${v}`);
    for (const v of [0, 1, 3, 0xff]) assert.throws(() => native!.openMessage(lying(frameLengthAt - 1, v, 1), dataKey), /contentType|non-framed/);
    // The frames are walked with the frame length the header states (structure first), then the header tag refuses the lie.
    for (const v of [0, 1, 127, 129, 0x7fffffff, 0xffffffff]) assert.throws(() => native!.openMessage(lying(frameLengthAt, v, 4), dataKey), `frame length ${v}`);
    // A final frame claiming 4 GB of content (one-frame message; final frame: end mark 4, sequence 4, IV 12, length 4).
    const bodyStart = headerLength + 16;
    const single = (await stock.encrypt(keyring, randomBytes(44), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength: 128 })).result;
    const singleKey = (await partsOf(single)).dataKey;
    const huge = Buffer.from(single);
    assert.equal(huge.readUInt32BE(bodyStart), 0xffffffff, 'the body starts with the final frame');
    huge.writeUInt32BE(0xffffffff, bodyStart + 4 + 4 + 12);
    assert.throws(() => native!.openMessage(huge, singleKey), /Final frame length exceeds frame length/);
    huge.writeUInt32BE(0xffffffff, frameLengthAt);
    assert.throws(() => native!.openMessage(huge, singleKey), /Incomplete message/);
    const zeroSeq = Buffer.from(message);
    zeroSeq.writeUInt32BE(0, bodyStart);
    assert.throws(() => native!.openMessage(zeroSeq, dataKey), /Malformed sequenceNumber/);
    assert.throws(() => native!.openMessage(message, dataKey.subarray(0, 31)), /32 bytes/);
    assert.throws(() => (native!.openMessage as (...a: unknown[]) => Buffer)(message, headerLength, 128, dataKey), /2 arguments/);
    for (let i = 0; i < 200; i++) assert.throws(() => native!.openMessage(randomBytes(randomInt(0, 400)), dataKey));
    assert.ok(native!.openMessage(message, dataKey).length === 300, 'the untouched message still opens');
  });

  test('an authentic header stating another frame length is honoured or refused as the stock decrypt() does', async () => {
    // One 200-byte final frame under a header saying 4096; the header is then re-stated with other frame lengths
    // and its tag recomputed with the derived key, as a writer holding the data key could.
    const message = (await stock.encrypt(keyring, randomBytes(200), { suiteId: FAST_SUITE_ID, encryptionContext: context, frameLength: 4096 })).result;
    const { headerLength, dataKey } = await partsOf(message);
    const restated = (frameLength: number): Buffer => {
      const b = Buffer.from(message);
      b.writeUInt32BE(frameLength, headerLength - 32 - 4);
      const prk = createHmac('sha512', b.subarray(3, 35)).update(dataKey).digest();
      const derived = createHmac('sha512', prk).update(Buffer.concat([kdfCommitKeyInfo(SEAL_SUITE).keyLabel, Buffer.from([1])])).digest().subarray(0, 32);
      const gcm = createCipheriv('aes-256-gcm', derived, Buffer.alloc(12)).setAAD(b.subarray(0, headerLength));
      gcm.final();
      gcm.getAuthTag().copy(b, headerLength);
      return b;
    };
    for (const frameLength of [200, 201, 1000, 0xffffffff]) {
      const b = restated(frameLength);
      const reference = (await stock.decrypt(keyring, b)).plaintext;
      assert.ok(native!.openMessage(b, dataKey).equals(reference), `frame length ${frameLength}: opened as stock`);
    }
    for (const frameLength of [0, 1, 199]) {
      const b = restated(frameLength);
      await assert.rejects(stock.decrypt(keyring, b), /Final frame length exceeds frame length/, `stock refuses frame length ${frameLength}`);
      assert.throws(() => native!.openMessage(b, dataKey), /Final frame length exceeds frame length/, `native refuses frame length ${frameLength}`);
    }
  });
});
