/**
 * Encryption materials for a section sealed under a subject key (crypto-shredding, shared/subject-keys):
 * a fresh data key wrapped, synchronously, exactly as the SDK's raw AES keyring wraps it, so the stock
 * `decrypt()` of any ESDK opens the message with a raw AES keyring holding the subject key (namespace
 * SUBJECT_KEY_NAMESPACE, key name = the key id, AES256_GCM_IV12_TAG16_NO_PADDING).
 *
 * Why by hand: the keyring's `onEncrypt` is async (a promise and a `randomBytes` callback per call); a new
 * subject needs new materials at event rate in the worst case, and no KMS. subject-template.ts serialises
 * the header of these materials once per context and patches the per-key parts. The bytes mirror:
 *  - node_modules/@aws-crypto/raw-aes-keyring-node/build/main/src/raw_aes_keyring_node.js `aesGcmWrapKey`:
 *    random 12-byte IV, AES-256-GCM under the wrapping key, AAD = the serialised encryption context without
 *    its 2-byte length prefix (`serializeEncryptionContext(ec).slice(2)`);
 *  - node_modules/@aws-crypto/raw-keyring/build/main/src/raw_aes_encrypted_data_keys.js
 *    `rawAesEncryptedDataKey`: providerId = namespace, rawInfo = utf8(keyName) || uInt32BE(tag bits 128) ||
 *    uInt32BE(iv length 12) || iv, encryptedDataKey = ciphertext || tag;
 *  - the keyring traces of raw_keyring_decorators.js `_onEncrypt` (generated, then encrypted + signed context).
 * test/shared/seal/subject-wrap.test.ts opens the result with the stock RawAesKeyringNode.
 */
import { createCipheriv, randomFillSync } from 'node:crypto';
import { EncryptedDataKey, KeyringTraceFlag, NodeEncryptionMaterial, type EncryptionContext } from '@aws-crypto/material-management-node';
import { serializeFactory } from '@aws-crypto/serialize';
import { SUBJECT_KEY_CONTEXT_KEY, SUBJECT_KEY_NAMESPACE } from '../subject-keys/format.js';
import { SEAL_SUITE } from './fast-message.js';

/** A subject key as the sealer uses it: its id (the raw keyring's key name) and its 32 bytes. */
export interface SubjectKey {
  readonly id: string;
  readonly key: Buffer;
}

const fromUtf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
// The SDK's serialiser, with the sorting the department keyrings (and the stock readers) use.
const { serializeEncryptionContext } = serializeFactory(fromUtf8, { utf8Sorting: true });
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;
const ENCRYPT_FLAGS = KeyringTraceFlag.WRAPPING_KEY_ENCRYPTED_DATA_KEY | KeyringTraceFlag.WRAPPING_KEY_SIGNED_ENC_CTX;

/** The encryption context of a section sealed under `keyId`: the section's own plus the key id. */
export function subjectSectionContext(sectionContext: Record<string, string>, keyId: string): EncryptionContext {
  return { ...sectionContext, [SUBJECT_KEY_CONTEXT_KEY]: keyId };
}

/**
 * New materials (a random data key and its raw-AES encrypted data key) for messages under `subjectKey`
 * with `encryptionContext` (which must already name the key id, see subjectSectionContext).
 */
export function subjectKeyMaterial(subjectKey: SubjectKey, encryptionContext: EncryptionContext): NodeEncryptionMaterial {
  if (subjectKey.key.length !== KEY_LENGTH) throw new Error('subject-wrap: a subject key is 32 bytes');
  const material = new NodeEncryptionMaterial(SEAL_SUITE, encryptionContext);
  const trace = { keyNamespace: SUBJECT_KEY_NAMESPACE, keyName: subjectKey.id };
  const dataKey = randomFillSync(new Uint8Array(KEY_LENGTH));
  const iv = randomFillSync(Buffer.alloc(IV_LENGTH));
  const ser = serializeEncryptionContext(encryptionContext).subarray(2);
  const cipher = createCipheriv('aes-256-gcm', subjectKey.key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(ser.buffer, ser.byteOffset, ser.byteLength));
  const encryptedDataKey = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  // Wrapped first: the material takes the array over (moving it into a KeyObject zeroes it).
  material.setUnencryptedDataKey(dataKey, { ...trace, flags: KeyringTraceFlag.WRAPPING_KEY_GENERATED_DATA_KEY });

  const name = fromUtf8(subjectKey.id);
  const rawInfo = Buffer.alloc(name.length + 8 + IV_LENGTH);
  name.copy(rawInfo, 0);
  rawInfo.writeUInt32BE(TAG_LENGTH * 8, name.length);
  rawInfo.writeUInt32BE(IV_LENGTH, name.length + 4);
  iv.copy(rawInfo, name.length + 8);
  const edk = new EncryptedDataKey({
    providerId: SUBJECT_KEY_NAMESPACE,
    providerInfo: rawInfo.toString('utf8'),
    rawInfo,
    encryptedDataKey,
  });
  return material.addEncryptedDataKey(edk, ENCRYPT_FLAGS);
}
