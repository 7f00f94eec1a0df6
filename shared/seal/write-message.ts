/**
 * The message body writer behind fast-message.ts (see there for the SDK files each step mirrors):
 * one ESDK message from a header template (message id and commitment patched per message) and a data
 * key, in JavaScript or, for a batch, with the native core. Kept apart from the template so that
 * materials the sealer builds itself (sections under subject keys) write through the same code.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { AlgorithmSuiteIdentifier, NodeAlgorithmSuite } from '@aws-crypto/material-management-node';
import { kdfCommitKeyInfo } from '@aws-crypto/serialize';
import { MESSAGE_ID_LENGTH, nextMessageId, nextMessageIds } from './message-id.js';
import type { NativeSeal } from './native-seal.js';

/** What one set of materials writes from: its header template and where the per-message parts go, its data key. */
export interface SealParts {
  template: Buffer;
  idOffset: number;
  commitOffset: number;
  /** The unencrypted data key (32 bytes). */
  dataKey: Buffer;
  frameLength: number;
}

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
export const COMMITMENT_LENGTH = 32; // suite.commitmentLength / 8
const KEY_LENGTH = 32; // suite.keyLengthBytes
const SEQUENCE_NUMBER_END = 0xffffffff; // SequenceIdentifier.SEQUENCE_NUMBER_END marks the final frame
const ZERO_IV = Buffer.alloc(IV_LENGTH); // headerAuthIv(12)
const FRAME_STRING = Buffer.from('AWSKMSEncryptionClient Frame'); // ContentAADString.FRAME_STRING_ID
const FINAL_FRAME_STRING = Buffer.from('AWSKMSEncryptionClient Final Frame'); // ContentAADString.FINAL_FRAME_STRING_ID

// HKDF expand with a single block: T(1) = HMAC(PRK, info || 0x01); both outputs are <= 64 bytes.
const { keyLabel, commitLabel } = kdfCommitKeyInfo(new NodeAlgorithmSuite(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY));
const KEY_INFO_T1 = Buffer.concat([keyLabel, Buffer.from([1])]);
const COMMIT_INFO_T1 = Buffer.concat([commitLabel, Buffer.from([1])]);
// Body AAD scratch (writes are synchronous): message id || label || seq || content length.
const aad = Buffer.alloc(MESSAGE_ID_LENGTH + FINAL_FRAME_STRING.length + 4 + 8);

/** Bytes of the message of `length` plaintext bytes. */
export function messageSize(parts: SealParts, length: number): number {
  const { frameLength } = parts;
  const full = Math.floor(length / frameLength);
  const last = length - full * frameLength;
  return parts.template.length + TAG_LENGTH + full * (4 + IV_LENGTH + frameLength + TAG_LENGTH) + (4 + 4 + IV_LENGTH + 4 + last + TAG_LENGTH);
}

/** One message of `plaintext` (JavaScript). `messageId` (32 random bytes) is drawn from a pool when omitted. */
export function writeMessage(parts: SealParts, plaintext: Uint8Array, messageId: Uint8Array = nextMessageId()): Buffer {
  const { template, idOffset, commitOffset, dataKey, frameLength } = parts;
  if (messageId.byteLength !== MESSAGE_ID_LENGTH) throw new Error('fast-message: a message id is 32 bytes');
  const headerLength = template.length;
  const pt = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const fullFrames = Math.floor(pt.length / frameLength);
  const finalLength = pt.length - fullFrames * frameLength;
  if (fullFrames + 1 > SEQUENCE_NUMBER_END - 1) throw new Error('fast-message: too many frames');
  const size = messageSize(parts, pt.length);
  const out = Buffer.allocUnsafe(size);
  template.copy(out, 0);
  out.set(messageId, idOffset);

  // nodeKdf, committing branch.
  const prk = createHmac('sha512', messageId).update(dataKey).digest();
  const commitment = createHmac('sha512', prk).update(COMMIT_INFO_T1).digest();
  const derived = createHmac('sha512', prk).update(KEY_INFO_T1).digest();
  const key = derived.subarray(0, KEY_LENGTH);
  commitment.copy(out, commitOffset, 0, COMMITMENT_LENGTH);
  try {
    // Header auth tag (V2: the tag alone follows the header).
    const headerAuth = createCipheriv('aes-256-gcm', key, ZERO_IV, { authTagLength: TAG_LENGTH });
    headerAuth.setAAD(out.subarray(0, headerLength));
    headerAuth.final();
    headerAuth.getAuthTag().copy(out, headerLength);

    let pos = headerLength + TAG_LENGTH;
    aad.set(messageId, 0);
    for (let seq = 1; seq <= fullFrames + 1; seq++) {
      const isFinal = seq === fullFrames + 1;
      const contentLength = isFinal ? finalLength : frameLength;
      if (isFinal) {
        out.writeUInt32BE(SEQUENCE_NUMBER_END, pos);
        pos += 4;
      }
      out.writeUInt32BE(seq, pos);
      pos += 4;
      const ivStart = pos;
      out.fill(0, pos, pos + IV_LENGTH - 4);
      out.writeUInt32BE(seq, pos + IV_LENGTH - 4);
      pos += IV_LENGTH;
      if (isFinal) {
        out.writeUInt32BE(contentLength, pos);
        pos += 4;
      }
      const aadLength = writeBodyAad(isFinal, seq, contentLength);
      const cipher = createCipheriv('aes-256-gcm', key, out.subarray(ivStart, ivStart + IV_LENGTH), { authTagLength: TAG_LENGTH });
      cipher.setAAD(aad.subarray(0, aadLength));
      const start = (seq - 1) * frameLength;
      if (contentLength > 0) pos += cipher.update(pt.subarray(start, start + contentLength)).copy(out, pos);
      pos += cipher.final().copy(out, pos);
      pos += cipher.getAuthTag().copy(out, pos);
    }
    if (pos !== size) throw new Error('fast-message: message length mismatch');
    return out;
  } finally {
    prk.fill(0);
    derived.fill(0);
    commitment.fill(0);
  }
}

/**
 * Each plaintext as one message (fresh random message ids), base64. With the native core the whole
 * batch is one call and one cipher context; without it, writeMessage per item.
 */
export function writeParts(parts: SealParts, plaintexts: readonly Buffer[], native: NativeSeal | undefined): string[] {
  if (!native) return plaintexts.map((p) => writeMessage(parts, p).toString('base64'));
  const lengths = new Uint32Array(plaintexts.length);
  for (let i = 0; i < plaintexts.length; i++) lengths[i] = plaintexts[i]!.length;
  const { template, idOffset, commitOffset, dataKey, frameLength } = parts;
  const all = native.sealBatch(template, idOffset, commitOffset, dataKey, frameLength, plaintexts.length === 1 ? plaintexts[0]! : Buffer.concat(plaintexts), lengths, nextMessageIds(plaintexts.length));
  const out = new Array<string>(plaintexts.length);
  let pos = 0;
  for (let i = 0; i < plaintexts.length; i++) {
    const end = pos + messageSize(parts, lengths[i]!);
    out[i] = all.toString('base64', pos, end);
    pos = end;
  }
  if (pos !== all.length) throw new Error('fast-message: native batch length mismatch');
  return out;
}

/** Body AAD (aad_factory.js messageAAD) into the scratch, whose first 32 bytes already hold the message id. */
function writeBodyAad(isFinal: boolean, seq: number, contentLength: number): number {
  const label = isFinal ? FINAL_FRAME_STRING : FRAME_STRING;
  let pos = MESSAGE_ID_LENGTH;
  pos += label.copy(aad, pos);
  aad.writeUInt32BE(seq, pos);
  pos += 4;
  aad.writeUInt32BE(Math.floor(contentLength / 0x100000000), pos);
  aad.writeUInt32BE(contentLength >>> 0, pos + 4);
  return pos + 8;
}
