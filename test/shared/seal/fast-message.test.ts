import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  getEncryptHelper,
  NodeAlgorithmSuite,
  NodeDefaultCryptographicMaterialsManager,
} from '@aws-crypto/client-node';
import { unwrapDataKey } from '@aws-crypto/material-management-node';
import { serializeFactory } from '@aws-crypto/serialize';
// The SDK's frame builder is not re-exported by client-node; the test uses it as the reference.
import { getEncryptFrame } from '@aws-crypto/encrypt-node/build/main/src/framed_encrypt_stream.js';
import { sectionContext } from '../../../shared/envelope/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { createMessageWriter, nativeSeal, nativeSealStatus, SEAL_ERRORS, SEAL_FRAME_LENGTH, SEAL_SUITE, SEAL_SUITE_ID } from '../../../shared/seal/index.js';
import { departmentKeyrings, headerOf, stock } from './support.js';

const keyrings = departmentKeyrings('support');
const keyring = keyrings.get('support')!;
const context = sectionContext('support', 'sendgrid-main', 3);

async function freshMaterials(suite = SEAL_SUITE) {
  return new NodeDefaultCryptographicMaterialsManager(keyring).getEncryptionMaterials({
    suite,
    encryptionContext: context,
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
  });
}

describe('fast ESDK message writer', () => {
  it('writes messages the stock decrypt() opens, across frame boundaries, the same length as stock encrypt()', async () => {
    const writer = createMessageWriter(await freshMaterials());
    for (const size of [0, 1, 200, SEAL_FRAME_LENGTH - 1, SEAL_FRAME_LENGTH, SEAL_FRAME_LENGTH + 1, 2 * SEAL_FRAME_LENGTH, 100 * 1024]) {
      const plaintext = randomBytes(size);
      const message = writer.write(plaintext);
      const { plaintext: opened, messageHeader } = await stock.decrypt(keyring, message);
      assert.ok(Buffer.from(opened).equals(plaintext), `plaintext of ${size} bytes round-trips`);
      assert.deepEqual({ ...messageHeader.encryptionContext }, context, `context of the ${size}-byte message`);
      assert.equal(messageHeader.suiteId, SEAL_SUITE_ID);
      assert.equal(messageHeader.frameLength, SEAL_FRAME_LENGTH);
      const reference = await stock.encrypt(keyring, plaintext, { suiteId: SEAL_SUITE_ID, encryptionContext: context });
      assert.equal(message.length, reference.result.length, `same framing as the SDK for ${size} bytes`);
    }
  });

  it('rejects every single flipped byte and a truncated message', async () => {
    const writer = createMessageWriter(await freshMaterials());
    const message = writer.write(Buffer.from(JSON.stringify({ id: 'evt-1', department: 'support', fields: { email: 'bob@example.com' } })));
    await stock.decrypt(keyring, message); // the original opens
    let rejected = 0;
    for (let i = 0; i < message.length; i++) {
      const tampered = Buffer.from(message);
      tampered[i]! ^= 0x01;
      await assert.rejects(stock.decrypt(keyring, tampered), Error, `byte ${i} of ${message.length} flipped must not decrypt`);
      rejected++;
    }
    assert.equal(rejected, message.length);
    await assert.rejects(stock.decrypt(keyring, message.subarray(0, message.length - 1)));
  });

  it('uses a fresh message id (and so a fresh derived key) for every message', async () => {
    const writer = createMessageWriter(await freshMaterials());
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add(Buffer.from(headerOf(writer.write(Buffer.from('same'))).messageHeader.messageId).toString('hex'));
    assert.equal(ids.size, 50);
  });

  it('is deterministic for a given message id, so the bytes are a function of materials, id and plaintext only', async () => {
    const writer = createMessageWriter(await freshMaterials());
    const id = randomBytes(32);
    const a = writer.write(Buffer.from('section'), id);
    const b = writer.write(Buffer.from('section'), id);
    assert.ok(a.equals(b));
    assert.ok(Buffer.from(headerOf(a).messageHeader.messageId).equals(id));
  });

  it('writes byte for byte what the SDK encrypt path writes for the same materials and message id', async () => {
    // The SDK's own steps (encrypt_stream.js getEncryptionInfo + framed_encrypt_stream.js getEncryptFrame),
    // with the message id fixed instead of drawn inside getEncryptionInfo.
    const material = await freshMaterials();
    const writer = createMessageWriter(material);
    const { getCipherInfo } = getEncryptHelper(material);
    const { buildMessageHeader, serializeMessageHeader, headerAuthIv } = serializeFactory((s: string) => Buffer.from(s, 'utf8'), { utf8Sorting: true });
    for (const size of [0, 37, SEAL_FRAME_LENGTH, 2 * SEAL_FRAME_LENGTH + 5]) {
      const plaintext = randomBytes(size);
      const messageId = randomBytes(32);
      const { getCipher, keyCommitment } = getCipherInfo(messageId);
      const messageHeader = buildMessageHeader({
        suite: SEAL_SUITE,
        encryptedDataKeys: material.encryptedDataKeys,
        encryptionContext: material.encryptionContext,
        messageId,
        frameLength: SEAL_FRAME_LENGTH,
        suiteData: keyCommitment,
      });
      const header = Buffer.from(serializeMessageHeader(messageHeader));
      const headerAuth = getCipher(headerAuthIv(12));
      headerAuth.setAAD(header);
      headerAuth.update(Buffer.alloc(0));
      headerAuth.final();
      const parts: Buffer[] = [header, headerAuth.getAuthTag()];
      const full = Math.floor(size / SEAL_FRAME_LENGTH);
      for (let seq = 1; seq <= full + 1; seq++) {
        const chunk = plaintext.subarray((seq - 1) * SEAL_FRAME_LENGTH, Math.min(size, seq * SEAL_FRAME_LENGTH));
        const { cipher, bodyHeader } = getEncryptFrame({
          pendingFrame: { content: [chunk], contentLength: chunk.length, sequenceNumber: seq },
          messageHeader,
          getCipher,
          isFinalFrame: seq === full + 1,
          suite: SEAL_SUITE,
        });
        parts.push(bodyHeader, cipher.update(chunk), cipher.final(), cipher.getAuthTag());
      }
      assert.ok(writer.write(plaintext, messageId).equals(Buffer.concat(parts)), `identical bytes for ${size} bytes of plaintext`);
    }
  });

  it('the native core writes byte for byte what the JavaScript writer writes, for the same materials and message ids', async () => {
    const native = nativeSeal();
    assert.ok(native, `the native sealing core is built (npm run build:native): ${nativeSealStatus()}`);
    const material = await freshMaterials();
    const writer = createMessageWriter(material, SEAL_FRAME_LENGTH, { native: undefined });
    const sizes = [0, 1, 37, 218, SEAL_FRAME_LENGTH - 1, SEAL_FRAME_LENGTH, SEAL_FRAME_LENGTH + 1, 2 * SEAL_FRAME_LENGTH + 5];
    const plaintexts = sizes.map((n) => randomBytes(n));
    const ids = randomBytes(32 * sizes.length);
    const { messageHeader } = headerOf(writer.write(Buffer.from('x')));
    const template = writer.write(Buffer.alloc(0), Buffer.alloc(32)).subarray(0, writer.headerLength);
    const commitOffset = writer.headerLength - 32;
    assert.equal(messageHeader.suiteId, SEAL_SUITE_ID);
    const key = Buffer.from(unwrapDataKey(material.getUnencryptedDataKey()));
    const all = native.sealBatch(template, 3, commitOffset, key, SEAL_FRAME_LENGTH, Buffer.concat(plaintexts), Uint32Array.from(sizes), ids);
    let pos = 0;
    plaintexts.forEach((p, i) => {
      const expected = writer.write(p, ids.subarray(32 * i, 32 * i + 32));
      assert.ok(all.subarray(pos, pos + expected.length).equals(expected), `identical bytes for ${sizes[i]} bytes of plaintext`);
      pos += expected.length;
    });
    assert.equal(pos, all.length);
  });

  it('writeBatch (native core and JavaScript) writes messages the stock decrypt() opens, each with its own message id', async () => {
    for (const native of [nativeSeal(), undefined]) {
      const writer = createMessageWriter(await freshMaterials(), SEAL_FRAME_LENGTH, { native });
      const plaintexts = [0, 218, SEAL_FRAME_LENGTH + 3].map((n) => randomBytes(n));
      const messages = writer.writeBatch(plaintexts);
      const ids = new Set<string>();
      for (const [i, message] of messages.entries()) {
        const { plaintext, messageHeader } = await stock.decrypt(keyring, Buffer.from(message, 'base64'));
        assert.ok(Buffer.from(plaintext).equals(plaintexts[i]!), `${native ? 'native' : 'javascript'} message ${i} round-trips`);
        assert.deepEqual({ ...messageHeader.encryptionContext }, context);
        ids.add(Buffer.from(messageHeader.messageId).toString('hex'));
      }
      assert.equal(ids.size, plaintexts.length);
    }
  });

  it('the native core refuses inputs that do not add up, instead of reading past them', () => {
    const native = nativeSeal();
    assert.ok(native, nativeSealStatus());
    const t = Buffer.alloc(100);
    assert.throws(() => native.sealBatch(t, 3, 68, Buffer.alloc(32), 4096, Buffer.alloc(10), Uint32Array.from([11]), Buffer.alloc(32)), /do not add up/);
    assert.throws(() => native.sealBatch(t, 3, 68, Buffer.alloc(16), 4096, Buffer.alloc(10), Uint32Array.from([10]), Buffer.alloc(32)), /32 bytes/);
    assert.throws(() => native.sealBatch(t, 3, 68, Buffer.alloc(32), 4096, Buffer.alloc(10), Uint32Array.from([10]), Buffer.alloc(31)), /message id/);
    assert.throws(() => native.sealBatch(t, 3, 90, Buffer.alloc(32), 4096, Buffer.alloc(10), Uint32Array.from([10]), Buffer.alloc(32)), /too short/);
    // Offsets near 2^32 once wrapped past the check in 32-bit arithmetic and copied outside the template (a segfault).
    assert.throws(() => native.sealBatch(t, 0xfffffff0, 68, Buffer.alloc(32), 4096, Buffer.alloc(10), Uint32Array.from([10]), Buffer.alloc(32)), /too short/);
    assert.throws(() => native.sealBatch(t, 3, 0xfffffff0, Buffer.alloc(32), 4096, Buffer.alloc(10), Uint32Array.from([10]), Buffer.alloc(32)), /too short/);

    // sealGroups: two materials over one 200-byte buffer of templates.
    const groups = (layout: number[], group: number[], keys = 64, lengths = [4, 6]) =>
      native.sealGroups(Buffer.alloc(200), Uint32Array.from(layout), Buffer.alloc(keys), 4096, Buffer.alloc(10), Uint32Array.from(lengths), Uint32Array.from(group), Buffer.alloc(32 * group.length));
    const ok = [0, 100, 3, 68, 100, 100, 3, 68];
    assert.equal(groups(ok, [0, 1]).length, 2 * (100 + 16 + 4 + 4 + 12 + 4 + 16) + 10);
    assert.throws(() => groups(ok, [0, 2]), /group index out of range/);
    assert.throws(() => groups([0, 100, 3, 68, 150, 100, 3, 68], [0, 1]), /out of range/, 'a template past the buffer');
    assert.throws(() => groups([0, 100, 3, 68, 0xffffff00, 0x200, 3, 68], [0, 1]), /out of range/, 'an offset near 2^32');
    assert.throws(() => groups([0, 100, 3, 90, 100, 100, 3, 68], [0, 1]), /out of range/, 'a commitment past its header');
    assert.throws(() => groups(ok, [0, 1], 32), /data key per materials/);
    assert.throws(() => groups(ok.slice(0, 7), [0, 1]), /four layout numbers/);
    assert.throws(() => groups(ok, [0, 1], 64, [4, 7]), /do not add up/);
  });

  it('refuses materials of another suite (a signing suite would need a signature footer)', async () => {
    const signing = await freshMaterials(new NodeAlgorithmSuite(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384));
    assert.throws(() => createMessageWriter(signing), (err) => isSealpostError(err, SEAL_ERRORS.unsupportedMaterials) && !err.retriable);
  });

  it('stops writing once the materials data key has been zeroed', async () => {
    const material = await freshMaterials();
    const writer = createMessageWriter(material);
    writer.write(Buffer.from('ok'));
    material.zeroUnencryptedDataKey();
    assert.throws(() => writer.write(Buffer.from('after')), /zeroed/);
  });
});
