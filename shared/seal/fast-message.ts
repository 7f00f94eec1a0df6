/**
 * Writes standard AWS Encryption SDK messages (message format version 2, suite 0x0478
 * ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, framed, unsigned) synchronously from
 * encryption materials the caller already holds.
 *
 * Why: the SDK's `encrypt()` builds a stream pipeline per message (duplexify, readable-stream,
 * an `await setImmediate` per chunk, a signature stream even when there is nothing to sign),
 * ~200-300 µs for a 200-byte section. The cryptography itself is ~15 µs. This file does exactly
 * what the SDK's encrypt path does, byte for byte, minus the streams:
 *
 *  - node_modules/@aws-crypto/encrypt-node/build/main/src/encrypt_stream.js `getEncryptionInfo`:
 *    random message id (32 bytes for format V2), `getCipherInfo(messageId)` (HKDF -> derived key +
 *    key commitment), `buildMessageHeader` + `serializeMessageHeader`, then the header auth tag:
 *    AES-GCM with the derived key, IV `headerAuthIv` (12 zero bytes), AAD = the serialised header,
 *    empty plaintext; `serializeMessageHeaderAuth` is the bare tag for V2.
 *  - node_modules/@aws-crypto/material-management-node/build/main/src/material_helpers.js `nodeKdf`
 *    (committing branch): HKDF-SHA512 extract with salt = message id and IKM = the data key;
 *    commitment = expand(32 bytes, "COMMITKEY"); derived key = expand(32 bytes,
 *    uInt16BE(suiteId) || "DERIVEKEY") (`kdfCommitKeyInfo` in @aws-crypto/serialize kdf_info.js);
 *    HKDF per @aws-crypto/hkdf-node hkdf.js (RFC 5869).
 *  - node_modules/@aws-crypto/encrypt-node/build/main/src/framed_encrypt_stream.js: a regular
 *    frame each time `frameLength` bytes have accumulated, then always one final frame holding the
 *    rest (0..frameLength-1 bytes, so 0 bytes -> one empty final frame, 4096 -> one full frame
 *    and an empty final frame). `getEncryptFrame`: IV = `frameIv(12, seq)` (8 zero bytes ||
 *    uInt32BE(seq)), body header = `frameHeader(seq, iv)` or `finalFrameHeader(seq, iv, len)`,
 *    AAD = `aadFactory.messageAAD(messageId, contentString, seq, contentLength)` =
 *    messageId || "AWSKMSEncryptionClient Frame"|"AWSKMSEncryptionClient Final Frame" ||
 *    uInt32BE(seq) || uInt64BE(contentLength); frame = header || ciphertext || 16-byte tag.
 *  - Unsigned suite: no signature footer (encrypt_stream's SignatureStream passes bytes through).
 *
 * The header bytes come from the SDK's own `serializeFactory(…, { utf8Sorting: true })`, exactly as
 * encrypt_stream.js calls it, serialised once per materials (the encryption context, encrypted data
 * keys and frame length do not change between messages) with the message id and commitment patched
 * in per message. The frame header and body AAD helpers are re-implemented here for speed (the SDK's
 * use bn.js and several small allocations); test/shared/seal/fast-message.test.ts checks them
 * byte for byte against the SDK's.
 */
import { randomFillSync } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  NodeAlgorithmSuite,
  unwrapDataKey,
  type EncryptionContext,
  type NodeEncryptionMaterial,
} from '@aws-crypto/material-management-node';
import { FRAME_LENGTH, serializeFactory } from '@aws-crypto/serialize';
import { SealpostError } from '../errors/index.js';
import { SEAL_ERRORS } from './errors.js';
import { MESSAGE_ID_LENGTH } from './message-id.js';
import { nativeSeal, type NativeSeal } from './native-seal.js';
import { COMMITMENT_LENGTH, writeMessage, writeParts, type SealParts } from './write-message.js';

/** The one suite Sealpost writes: key-committing (so a message opens to one plaintext only), unsigned (cacheable data keys). */
export const SEAL_SUITE_ID = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
/** The suite as the SDK's materials managers expect it in a request. */
export const SEAL_SUITE = new NodeAlgorithmSuite(SEAL_SUITE_ID);
/** The SDK's default frame length; small sections are one final frame. */
export const SEAL_FRAME_LENGTH = FRAME_LENGTH;

const fromUtf8 = (input: string): Buffer => Buffer.from(input, 'utf8');
// Same factory and options as encrypt_stream.js.
const { buildMessageHeader, serializeMessageHeader } = serializeFactory(fromUtf8, { utf8Sorting: true });

/** A writer bound to one set of encryption materials; each `write` is one complete ESDK message. */
export interface MessageWriter {
  /** The encryption context as serialised in every header (the materials', which the CMM may have extended). */
  readonly encryptionContext: Readonly<EncryptionContext>;
  /** Header length in bytes (fixed per materials). */
  readonly headerLength: number;
  /**
   * Encrypts `plaintext` into one message. `messageId` (32 random bytes) is drawn from a pool when
   * omitted; tests pass one to compare runs. Throws once the materials' data key has been zeroed.
   */
  write(plaintext: Uint8Array, messageId?: Uint8Array): Buffer;
  /**
   * Encrypts each plaintext into one message (fresh random message ids), returned base64. With the
   * native core the whole batch is one call and one cipher context; without it, `write` per item.
   */
  writeBatch(plaintexts: readonly Buffer[]): string[];
  /**
   * The header template, offsets and data key these messages are written from (write-groups.ts), data
   * key included: only for writing now, never kept. Throws once the data key has been zeroed.
   */
  unsafeParts(): SealParts;
}

/**
 * Checks that materials suit the fast path and prepares the per-materials header template. Why a
 * check: a custom CMM may answer with another suite (e.g. a signing one, which would need an ECDSA
 * footer); we refuse rather than emit something the stock decrypt would reject.
 */
export function createMessageWriter(
  material: NodeEncryptionMaterial,
  frameLength: number = SEAL_FRAME_LENGTH,
  opts: { native?: NativeSeal | undefined } = { native: nativeSeal() },
): MessageWriter {
  if (material.suite.id !== SEAL_SUITE_ID || material.signatureKey !== undefined) {
    throw new SealpostError(
      SEAL_ERRORS.unsupportedMaterials,
      `the materials manager answered with algorithm suite ${material.suite.name}; Sealpost seals only with ` +
        'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY (0x0478). Use a materials manager that honours the requested suite.',
      { details: { suite: material.suite.id } },
    );
  }
  if (!material.hasValidKey() || material.encryptedDataKeys.length === 0) {
    throw new SealpostError(
      SEAL_ERRORS.unsupportedMaterials,
      'the materials manager answered without a data key or without an encrypted data key; check the department keyring',
    );
  }
  if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > 0xffffffff) {
    throw new SealpostError(SEAL_ERRORS.badLimits, `frame length ${frameLength} is out of range 1..2^32-1`);
  }

  const raw = unwrapDataKey(material.getUnencryptedDataKey());
  // A view, not a copy: zeroUnencryptedDataKey() on the material zeroes what we read.
  const dataKey = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);

  // Serialise the header once with marker bytes where the per-message parts go, then verify the
  // markers sit where the V2 layout says (version 1 + suite 2 | message id 32 | … | suite data 32).
  const idMarker = randomFillSync(Buffer.alloc(MESSAGE_ID_LENGTH));
  const commitMarker = randomFillSync(Buffer.alloc(COMMITMENT_LENGTH));
  const header = buildMessageHeader({
    suite: SEAL_SUITE,
    encryptedDataKeys: material.encryptedDataKeys,
    encryptionContext: material.encryptionContext,
    messageId: idMarker,
    frameLength,
    suiteData: commitMarker,
  });
  const ser = serializeMessageHeader(header);
  const template = Buffer.from(ser.buffer, ser.byteOffset, ser.byteLength);
  const idOffset = 3;
  const commitOffset = template.length - COMMITMENT_LENGTH;
  if (
    template[0] !== 2 ||
    template.readUInt16BE(1) !== SEAL_SUITE_ID ||
    !template.subarray(idOffset, idOffset + MESSAGE_ID_LENGTH).equals(idMarker) ||
    !template.subarray(commitOffset).equals(commitMarker)
  ) {
    throw new Error('fast-message: the SDK header layout is not the expected V2 layout');
  }
  const parts: SealParts = { template, idOffset, commitOffset, dataKey, frameLength };
  const live = (): void => {
    if (!material.hasUnencryptedDataKey) throw new Error('fast-message: the materials data key has been zeroed');
  };
  return {
    encryptionContext: material.encryptionContext,
    headerLength: template.length,
    write(plaintext, messageId) {
      live();
      return writeMessage(parts, plaintext, messageId);
    },
    writeBatch(plaintexts) {
      live();
      return writeParts(parts, plaintexts, opts.native);
    },
    unsafeParts() {
      live();
      return parts;
    },
  };
}
