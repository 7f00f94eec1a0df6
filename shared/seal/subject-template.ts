/**
 * The header of a section under a subject key, built once per encryption context and patched per key.
 * Every such header differs only in fixed-length places: the key id (22 characters, in the encryption
 * context and in the encrypted data key's provider info), the wrap's IV (12 bytes) and the wrapped data key
 * (32 + 16 bytes). So the SDK serialises it once (createMessageWriter, with marker values found again by
 * search and checked to occur exactly where expected), and a new subject key costs a copy, a random data key
 * and one AES-GCM wrap: about 300 bytes kept per key, no SDK objects (subject-wrap.ts has the wrap's layout).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { serializeFactory } from '@aws-crypto/serialize';
import { KEY_ID_PATTERN } from '../subject-keys/format.js';
import { createMessageWriter } from './fast-message.js';
import { fillRandom } from './message-id.js';
import type { NativeSeal } from './native-seal.js';
import { subjectKeyMaterial, subjectSectionContext, type SubjectKey } from './subject-wrap.js';
import type { SealParts } from './write-message.js';

const { serializeEncryptionContext } = serializeFactory((s: string) => Buffer.from(s, 'utf8'), { utf8Sorting: true });
const KEY_ID_LENGTH = 22;
const IV_LENGTH = 12;
const WRAPPED_LENGTH = 32 + 16;
const ZERO_KEY = Buffer.alloc(32);

/** A header template for sections under any subject key with one section context. */
export interface SubjectTemplate {
  header: Buffer;
  idOffset: number;
  commitOffset: number;
  frameLength: number;
  /** Where the key id goes in the header (context value, provider info), the IV and the wrapped key. */
  keyIdOffsets: [number, number];
  ivOffset: number;
  wrappedOffset: number;
  /** The wrap's AAD (serialised context, no length prefix) and where the key id goes in it. */
  aad: Buffer;
  aadKeyIdOffset: number;
}

/** Every offset of `needle` in `haystack`. */
function offsetsOf(haystack: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) out.push(i);
  return out;
}

/** Builds the template for `sectionContext` (the section's context without the key id). */
export function subjectTemplate(sectionContext: Record<string, string>, frameLength?: number): SubjectTemplate {
  const marker: SubjectKey = { id: randomBytes(16).toString('base64url'), key: randomBytes(32) };
  const context = subjectSectionContext(sectionContext, marker.id);
  const material = subjectKeyMaterial(marker, context);
  const parts = createMessageWriter(material, frameLength, { native: undefined }).unsafeParts();
  const header = Buffer.from(parts.template);
  material.zeroUnencryptedDataKey();
  const edk = material.encryptedDataKeys[0]!;
  const rawInfo = Buffer.from(edk.rawInfo!);
  const keyIds = offsetsOf(header, Buffer.from(marker.id));
  const ivs = offsetsOf(header, rawInfo.subarray(rawInfo.length - IV_LENGTH));
  const wrapped = offsetsOf(header, Buffer.from(edk.encryptedDataKey));
  const ser = serializeEncryptionContext(context).subarray(2);
  const aad = Buffer.from(ser.buffer, ser.byteOffset, ser.byteLength);
  const aadKeyIds = offsetsOf(aad, Buffer.from(marker.id));
  if (keyIds.length !== 2 || ivs.length !== 1 || wrapped.length !== 1 || aadKeyIds.length !== 1 || wrapped[0]! + WRAPPED_LENGTH > parts.commitOffset) {
    throw new Error('subject-template: the SDK header layout is not the expected one');
  }
  return {
    header,
    idOffset: parts.idOffset,
    commitOffset: parts.commitOffset,
    frameLength: parts.frameLength,
    keyIdOffsets: [keyIds[0]!, keyIds[1]!],
    ivOffset: ivs[0]!,
    wrappedOffset: wrapped[0]!,
    aad: Buffer.from(aad),
    aadKeyIdOffset: aadKeyIds[0]!,
  };
}

/**
 * New materials for messages under `subjectKey` with this template's context: a random data key wrapped
 * under the subject key (by the native core when given: the same bytes, without a cipher object per key), patched
 * into a copy of the header. One allocation holds header and data key.
 */
export function subjectParts(t: SubjectTemplate, subjectKey: SubjectKey, native?: NativeSeal): SealParts {
  if (!KEY_ID_PATTERN.test(subjectKey.id) || subjectKey.id.length !== KEY_ID_LENGTH) throw new Error('subject-template: a key id is 22 base64url characters');
  if (subjectKey.key.length !== 32) throw new Error('subject-template: a subject key is 32 bytes');
  // A discarded key is zeroed (discardSubjectKeys): never wrap under it, whoever still held it.
  if (subjectKey.key.equals(ZERO_KEY)) throw new Error('subject-template: this subject key was discarded (zeroed)');
  const buf = Buffer.allocUnsafeSlow(t.header.length + 32);
  const header = buf.subarray(0, t.header.length);
  const dataKey = fillRandom(buf.subarray(t.header.length));
  t.header.copy(header);
  for (const o of t.keyIdOffsets) header.write(subjectKey.id, o, 'latin1');
  const iv = fillRandom(header.subarray(t.ivOffset, t.ivOffset + IV_LENGTH));
  t.aad.write(subjectKey.id, t.aadKeyIdOffset, 'latin1'); // scratch: writes are synchronous
  if (native) native.wrapKey(subjectKey.key, iv, dataKey, t.aad, header, t.wrappedOffset);
  else {
    const cipher = createCipheriv('aes-256-gcm', subjectKey.key, iv, { authTagLength: 16 });
    cipher.setAAD(t.aad);
    let pos = t.wrappedOffset;
    pos += cipher.update(dataKey).copy(header, pos);
    pos += cipher.final().copy(header, pos);
    cipher.getAuthTag().copy(header, pos);
  }
  return { template: header, idOffset: t.idOffset, commitOffset: t.commitOffset, dataKey, frameLength: t.frameLength };
}
