// Opens sealed sections the way any department consumer would: the STOCK AWS Encryption SDK decrypt()
// with a raw AES keyring built here from the department's key file — independent of Sealpost's own code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, type KeyringNode } from '@aws-crypto/client-node';
import type { Envelope } from '../../shared/envelope/index.js';
import {
  parseKeysTopicRecord,
  SUBJECT_KEY_CONTEXT_KEY,
  SUBJECT_KEY_NAMESPACE,
  subjectKeyContext,
  type SubjectKeyPlaintext,
  type SubjectKeyRecord,
} from '../../shared/subject-keys/index.js';
import { readAll, type ReadMessage } from './kafka.js';

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** A keyring for a local department key file in `<dataDir>/keys/<name>.key`. */
export function departmentKeyring(dataDir: string, name: string): RawAesKeyringNode {
  const key = readFileSync(join(dataDir, 'keys', `${name}.key`));
  return new RawAesKeyringNode({
    keyName: name,
    keyNamespace: 'sealpost',
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  });
}

/** Decrypts one base64 section with the stock SDK; returns plaintext JSON and the encryption context. */
export async function openSection(keyring: KeyringNode, sectionB64: string): Promise<{ plaintext: any; context: Record<string, string> }> {
  const { plaintext, messageHeader } = await decrypt(keyring, Buffer.from(sectionB64, 'base64'));
  return { plaintext: JSON.parse(plaintext.toString('utf8')), context: { ...messageHeader.encryptionContext } };
}

/**
 * Opens a department's section of an envelope in the documented steps (docs/forget.md), stock SDK only:
 * v1, or a v2 section not under a subject key, is one decrypt with the department's keyring; a section
 * under a subject key first opens that key's record (from the keys topic) with the department's keyring,
 * then the section with a raw AES keyring holding the subject key. Checks what the format says to check.
 */
export async function openEnvelopeSection(
  keyring: KeyringNode,
  env: Envelope,
  department: string,
  keys: ReadonlyMap<string, SubjectKeyRecord>,
): Promise<{ plaintext: any; context: Record<string, string> }> {
  const keyId = env.keys?.[department];
  if (!keyId) return openSection(keyring, env.sections[department]!);
  const record = keys.get(keyId);
  if (!record) throw new Error(`no key record for subject key ${keyId}`);
  const step1 = await decrypt(keyring, Buffer.from(record.sealed, 'base64'));
  assert.deepEqual({ ...step1.messageHeader.encryptionContext }, subjectKeyContext(department));
  const subjectKey = JSON.parse(step1.plaintext.toString('utf8')) as SubjectKeyPlaintext;
  assert.deepEqual([subjectKey.keyId, subjectKey.subject, subjectKey.department], [keyId, env.recipient, department]);
  const ring = new RawAesKeyringNode({
    keyNamespace: SUBJECT_KEY_NAMESPACE,
    keyName: keyId,
    unencryptedMasterKey: new Uint8Array(Buffer.from(subjectKey.key, 'base64')),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const opened = await openSection(ring, env.sections[department]!);
  assert.equal(opened.context[SUBJECT_KEY_CONTEXT_KEY], keyId);
  return opened;
}

/** The key records (by key id) of the subject keys `envelopes` name, read from the keys topic. */
export async function readSubjectKeys(brokers: string[], topic: string, envelopes: readonly Envelope[], timeoutMs = 20_000): Promise<Map<string, SubjectKeyRecord>> {
  const wanted = new Set(envelopes.flatMap((e) => Object.values(e.keys ?? {})));
  const out = new Map<string, SubjectKeyRecord>();
  if (wanted.size === 0) return out;
  const collect = (messages: readonly ReadMessage[]): boolean => {
    for (const m of messages) {
      const parsed = m.key && parseKeysTopicRecord(m.key.toString(), m.value);
      if (parsed?.kind === 'key' && parsed.value) out.set(parsed.keyId, parsed.value);
    }
    return [...wanted].every((k) => out.has(k));
  };
  collect(await readAll(brokers, topic, wanted.size, timeoutMs, { until: collect }));
  return out;
}
