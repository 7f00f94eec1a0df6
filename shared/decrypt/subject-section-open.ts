/**
 * Step 2 of opening a v2 section (shared/subject-keys/format.ts): the section is a standard ESDK message
 * whose data key is wrapped by a raw AES keyring holding the subject key (namespace SUBJECT_KEY_NAMESPACE,
 * key name = key id, AES256_GCM_IV12_TAG16_NO_PADDING).
 *
 * The fast path unwraps that data key itself, as the SDK's raw AES keyring does
 * (node_modules/@aws-crypto/raw-aes-keyring-node/build/main/src/raw_aes_keyring_node.js `aesGcmUnwrapKey`,
 * parts as @aws-crypto/raw-keyring raw_aes_encrypted_data_keys.js `rawAesEncryptedParts`):
 * providerInfo = keyName || uInt32BE(tag bits = 128) || uInt32BE(iv length = 12) || iv, encryptedDataKey =
 * wrapped key || 16-byte tag, AAD = the serialised encryption context without its 2-byte length; then the
 * framed body opens with the existing fast-open body. With the native core both run in one call
 * (native/seal/open-wrapped.c), the header walked by its lengths (subject-header.ts) instead of parsed by the SDK, so
 * the data key never reaches JavaScript; without it (Electron, SEALPOST_DEV_SEAL_NATIVE=0) in JavaScript. No data
 * key is cached: the unwrap costs less than a lookup, and nothing outlives the subject key it came from.
 * Any other message shape goes to the stock decrypt with a RawAesKeyringNode.
 */
import { createDecipheriv } from 'node:crypto';
import { CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-node';
import { NodeAlgorithmSuite, needs, type EncryptionContext } from '@aws-crypto/material-management-node';
import { ContentType, deserializeFactory, serializeFactory, type MessageHeaderV2 } from '@aws-crypto/serialize';
import { SUBJECT_KEY_NAMESPACE } from '../subject-keys/format.js';
import { nativeSeal } from '../seal/native-seal.js';
import { walkHeaderV2 } from './fast-header.js';
import { FAST_SUITE_ID, isFastSuiteMessage, openFramedBody } from './fast-open.js';
import { findWrappedKey, headerContext, type HeaderContext } from './subject-header.js';
import { LockError } from './lock-reason.js';

const TAG_BYTES = 16;
const IV_BYTES = 12;
const KEY_BYTES = 32;
const toUtf8 = (input: Uint8Array): string => Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
const fromUtf8 = (input: string): Buffer => Buffer.from(input, 'utf8');
const { deserializeMessageHeader } = deserializeFactory(toUtf8, NodeAlgorithmSuite);
// As RawAesKeyringNode re-serialises the context (default sorting); Sealpost's context keys are ASCII, so UTF-16 and
// UTF-8 sorting agree and a sealer with utf8Sorting: true writes the same AAD.
const { serializeEncryptionContext } = serializeFactory(fromUtf8, { utf8Sorting: false });
const { decrypt } = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 8 });

const notThisKey = (department: string, keyId: string): LockError =>
  new LockError({
    state: 'locked',
    code: 'tampered',
    check: 'context',
    message: `the ${department} section is not sealed under subject key ${keyId}, which its envelope names: it was moved or altered; do not trust it`,
  });

/**
 * Opens `message` with the 32-byte `subjectKey` of `keyId`. Throws a LockError (tampered, context) when no
 * data key of the message is wrapped under that key id, and what the stock decrypt would throw when the
 * unwrap, the header or the body does not authenticate. The caller checks the encryption context.
 */
export async function openUnderSubjectKey(message: Buffer, keyId: string, subjectKey: Buffer, department: string, maxEncryptedDataKeys: number, contexts?: HeaderContext[]): Promise<SubjectOpened> {
  return openUnderSubjectKeySync(message, keyId, subjectKey, department, maxEncryptedDataKeys, contexts) ?? stockOpen(message, keyId, subjectKey);
}

/**
 * An opened section and the encryption context its header states (what the caller checks). On the walked path the
 * context is the cached HeaderContext itself (no header object per section); `plaintext` is the caller's to zero.
 */
export interface SubjectOpened {
  plaintext: Buffer;
  messageHeader: { readonly encryptionContext: EncryptionContext };
}

/** Contexts kept per subject key (HeaderContext): one per source and policy version its sections were sealed for. */
export const CONTEXTS_PER_SUBJECT_KEY = 4;

/**
 * openUnderSubjectKey's synchronous part: the V2/0x0478 framed shape Sealpost writes; undefined for any other shape
 * (the stock decrypt opens those). `contexts`: the contexts met under this subject key (kept in its cache entry), so
 * the header is walked by its lengths (subject-header.ts) rather than parsed by the SDK.
 */
export function openUnderSubjectKeySync(
  message: Buffer,
  keyId: string,
  subjectKey: Buffer,
  department: string,
  maxEncryptedDataKeys: number,
  contexts?: HeaderContext[],
  /** The key id's UTF-8 bytes, when the caller keeps them (else made here). */
  keyName?: Buffer,
): SubjectOpened | undefined {
  if (!isFastSuiteMessage(message)) return undefined;
  const walked = contexts && openWalked(message, keyId, keyName ?? fromUtf8(keyId), subjectKey, department, maxEncryptedDataKeys, contexts);
  if (walked) return walked;
  const headerInfo = deserializeMessageHeader(message, { maxEncryptedDataKeys });
  needs(headerInfo, 'Incomplete Header');
  const header = headerInfo.messageHeader as MessageHeaderV2;
  if (header.contentType !== ContentType.FRAMED_DATA) return undefined;
  needs(headerInfo.algorithmSuite.id === FAST_SUITE_ID, 'Unsupported algorithm suite.');
  const name = fromUtf8(keyId);
  const edk = header.encryptedDataKeys.find((k) => k.providerId === SUBJECT_KEY_NAMESPACE && k.rawInfo && Buffer.from(k.rawInfo.subarray(0, name.length)).equals(name));
  if (!edk?.rawInfo) throw notThisKey(department, keyId);
  const info = Buffer.from(edk.rawInfo.buffer, edk.rawInfo.byteOffset + name.length, edk.rawInfo.byteLength - name.length);
  const wrapped = Buffer.from(edk.encryptedDataKey.buffer, edk.encryptedDataKey.byteOffset, edk.encryptedDataKey.byteLength);
  checkWrapped(info, wrapped.length);
  const aad = serializeEncryptionContext(header.encryptionContext).subarray(2);
  const dataKey = unwrap(subjectKey, info, wrapped, aad);
  try {
    return { plaintext: openFramedBody(message, header, headerInfo.rawHeader.byteLength, dataKey), messageHeader: header };
  } finally {
    dataKey.fill(0);
  }
}

/** The same steps on the header walked by its lengths; undefined when it is unusual (then the SDK's parser says why). */
function openWalked(message: Buffer, keyId: string, keyName: Buffer, subjectKey: Buffer, department: string, maxEncryptedDataKeys: number, contexts: HeaderContext[]): SubjectOpened | undefined {
  const shape = walkHeaderV2(message);
  if (!shape || shape.contentType !== ContentType.FRAMED_DATA) return undefined;
  const found = findWrappedKey(message, shape, keyName, maxEncryptedDataKeys);
  if (found === undefined) return undefined;
  if (found === null) throw notThisKey(department, keyId);
  const context = headerContext(message, contexts, CONTEXTS_PER_SUBJECT_KEY);
  if (!context) return undefined;
  needs(found.infoLength === 8 + IV_BYTES && message.readUInt32BE(found.infoAt) === TAG_BYTES * 8 && message.readUInt32BE(found.infoAt + 4) === IV_BYTES, 'Malformed providerInfo');
  needs(found.wrappedLength === KEY_BYTES + TAG_BYTES, 'Malformed providerInfo');
  const native = nativeSeal();
  if (native) return { plaintext: native.openWrappedMessage(message, subjectKey, found.ivAt, found.wrappedAt, context.aad), messageHeader: context };
  const header: MessageHeaderV2 = {
    version: 2,
    suiteId: FAST_SUITE_ID,
    messageId: message.subarray(3, 35),
    encryptionContext: context.encryptionContext,
    encryptedDataKeys: [], // not decoded: nothing reads them
    contentType: shape.contentType,
    frameLength: shape.frameLength,
    suiteData: message.subarray(shape.headerLength - 32, shape.headerLength),
  };
  const info = message.subarray(found.infoAt, found.infoAt + found.infoLength);
  const dataKey = unwrap(subjectKey, info, message.subarray(found.wrappedAt, found.wrappedAt + found.wrappedLength), context.aad);
  try {
    return { plaintext: openFramedBody(message, header, shape.headerLength, dataKey), messageHeader: header };
  } finally {
    dataKey.fill(0);
  }
}

/** The raw AES keyring's shape: provider info = tag bits 128 | IV length 12 | IV, wrapped key = 32 bytes || tag 16. */
function checkWrapped(info: Buffer, wrappedLength: number): void {
  needs(info.length === 8 + IV_BYTES && info.readUInt32BE(0) === TAG_BYTES * 8 && info.readUInt32BE(4) === IV_BYTES, 'Malformed providerInfo');
  needs(wrappedLength === KEY_BYTES + TAG_BYTES, 'Malformed providerInfo');
}

/** The data key: AES-256-GCM under the subject key, IV and tag from the provider info and the wrapped key (raw_aes_keyring_node.js aesGcmUnwrapKey). */
function unwrap(subjectKey: Buffer, info: Buffer, wrapped: Buffer, aad: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', subjectKey, info.subarray(8)).setAAD(aad).setAuthTag(wrapped.subarray(KEY_BYTES));
  return Buffer.concat([decipher.update(wrapped.subarray(0, KEY_BYTES)), decipher.final()]);
}

/** Any other shape (never written by Sealpost): the stock decrypt with a raw AES keyring of the subject key. */
async function stockOpen(message: Buffer, keyId: string, subjectKey: Buffer): Promise<SubjectOpened> {
  const keyring = new RawAesKeyringNode({
    keyName: keyId,
    keyNamespace: SUBJECT_KEY_NAMESPACE,
    unencryptedMasterKey: new Uint8Array(subjectKey), // the keyring zeroes what it is given: a copy
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const { plaintext, messageHeader } = await decrypt(keyring, message);
  return { plaintext, messageHeader };
}
