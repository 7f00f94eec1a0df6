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
 * framed body opens with the existing fast-open body (native or JavaScript). The data key unwrapped is kept in
 * `dataKeys`, the cache the caller holds INSIDE the subject key's own cache entry (subject-sections.ts), keyed by the
 * header bytes that decide it (fast-open.ts openCachedMessage, fast-header.ts says why that is safe): the next
 * section of that subject sealed with the same materials skips the SDK's header parser and the unwrap, and the data
 * keys are zeroed with the subject key, so nothing outlives the subject key it came from.
 * Any other message shape goes to the stock decrypt with a RawAesKeyringNode.
 */
import { createDecipheriv } from 'node:crypto';
import { CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-node';
import { EncryptedDataKey, NodeAlgorithmSuite, needs } from '@aws-crypto/material-management-node';
import { ContentType, deserializeFactory, serializeFactory, type MessageHeaderV2 } from '@aws-crypto/serialize';
import { SUBJECT_KEY_NAMESPACE } from '../subject-keys/format.js';
import type { FastKeyCache } from './fast-key-cache.js';
import { FAST_SUITE_ID, headerCacheId, isFastSuiteMessage, openCachedMessage, openFramedBody, type FastOpened } from './fast-open.js';
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
export async function openUnderSubjectKey(message: Buffer, keyId: string, subjectKey: Buffer, department: string, maxEncryptedDataKeys: number, dataKeys?: FastKeyCache<MessageHeaderV2>): Promise<FastOpened> {
  return openUnderSubjectKeySync(message, keyId, subjectKey, department, maxEncryptedDataKeys, dataKeys) ?? stockOpen(message, keyId, subjectKey);
}

/**
 * openUnderSubjectKey's synchronous part: the V2/0x0478 framed shape Sealpost writes, with a data key from
 * `dataKeys` or unwrapped here (and kept there); undefined for any other shape (the stock decrypt opens those).
 */
export function openUnderSubjectKeySync(message: Buffer, keyId: string, subjectKey: Buffer, department: string, maxEncryptedDataKeys: number, dataKeys?: FastKeyCache<MessageHeaderV2>): FastOpened | undefined {
  if (!isFastSuiteMessage(message)) return undefined;
  const cached = dataKeys && openCachedMessage(message, dataKeys);
  if (cached) return cached;
  const headerInfo = deserializeMessageHeader(message, { maxEncryptedDataKeys });
  needs(headerInfo, 'Incomplete Header');
  const header = headerInfo.messageHeader as MessageHeaderV2;
  if (header.contentType !== ContentType.FRAMED_DATA) return undefined;
  needs(headerInfo.algorithmSuite.id === FAST_SUITE_ID, 'Unsupported algorithm suite.');
  const name = fromUtf8(keyId);
  const edk = header.encryptedDataKeys.find((k) => k.providerId === SUBJECT_KEY_NAMESPACE && k.rawInfo && Buffer.from(k.rawInfo.subarray(0, name.length)).equals(name));
  if (!edk?.rawInfo) throw notThisKey(department, keyId);
  const info = Buffer.from(edk.rawInfo.buffer, edk.rawInfo.byteOffset + name.length, edk.rawInfo.byteLength - name.length);
  needs(info.length === 8 + IV_BYTES && info.readUInt32BE(0) === TAG_BYTES * 8 && info.readUInt32BE(4) === IV_BYTES, 'Malformed providerInfo');
  const wrapped = Buffer.from(edk.encryptedDataKey.buffer, edk.encryptedDataKey.byteOffset, edk.encryptedDataKey.byteLength);
  needs(wrapped.length === KEY_BYTES + TAG_BYTES, 'Malformed providerInfo');
  const aad = serializeEncryptionContext(header.encryptionContext).subarray(2);
  const decipher = createDecipheriv('aes-256-gcm', subjectKey, info.subarray(8)).setAAD(aad).setAuthTag(wrapped.subarray(KEY_BYTES));
  const dataKey = Buffer.concat([decipher.update(wrapped.subarray(0, KEY_BYTES)), decipher.final()]);
  // Authentic for these header bytes (the unwrap's tag covers the context); kept under the subject key only.
  dataKeys?.put(headerCacheId(message, headerInfo.rawHeader.byteLength), dataKey, keptHeader(header));
  try {
    return { plaintext: openFramedBody(message, header, headerInfo.rawHeader.byteLength, dataKey), messageHeader: header };
  } finally {
    dataKey.fill(0);
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * The header as kept beside a cached data key: its own copies of the data keys' bytes (the parser's are views of the
 * message, whose 8 KB pool slab a long-lived entry would keep alive); a hit sets its own message id and suite data.
 */
function keptHeader(header: MessageHeaderV2): MessageHeaderV2 {
  const encryptedDataKeys = header.encryptedDataKeys.map(
    (k) => new EncryptedDataKey({ providerId: k.providerId, providerInfo: k.providerInfo, encryptedDataKey: new Uint8Array(k.encryptedDataKey), ...(k.rawInfo ? { rawInfo: new Uint8Array(k.rawInfo) } : {}) }),
  );
  return { ...header, messageId: NO_BYTES, suiteData: NO_BYTES, encryptedDataKeys };
}

/** Any other shape (never written by Sealpost): the stock decrypt with a raw AES keyring of the subject key. */
async function stockOpen(message: Buffer, keyId: string, subjectKey: Buffer): Promise<FastOpened> {
  const keyring = new RawAesKeyringNode({
    keyName: keyId,
    keyNamespace: SUBJECT_KEY_NAMESPACE,
    unencryptedMasterKey: new Uint8Array(subjectKey), // the keyring zeroes what it is given: a copy
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const { plaintext, messageHeader } = await decrypt(keyring, message);
  return { plaintext, messageHeader };
}
