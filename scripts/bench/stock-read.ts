// bench:consume's stock loop: what a department writes by hand with kafkajs and the stock ESDK (docs/consumers.md's
// recipes): JSON.parse, decrypt() with the department keyring, the context and id checks. For a v2 section the two
// documented steps: the person's subject key record decrypted once (then a raw AES keyring kept per key id), then the
// section under it. The keys topic is read before the timed loop (its records are few).
import { CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import { checkOpenedSection } from '../../shared/decrypt/index.js';
import type { Envelope } from '../../shared/envelope/index.js';
import { SUBJECT_KEY_CONTEXT_KEY, SUBJECT_KEY_NAMESPACE, subjectKeyRecordKey, type SubjectKeyPlaintext, type SubjectKeyRecord } from '../../shared/subject-keys/index.js';
import { rawRead } from './raw-read.js';

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** The key records of `keysTopic` (record key -> value), read from its beginning. */
export async function readKeyRecords(brokers: string[], keysTopic: string, count: number): Promise<Map<string, SubjectKeyRecord>> {
  const out = new Map<string, SubjectKeyRecord>();
  if (count) await rawRead(brokers, keysTopic, count, (messages) => void messages.forEach((m) => out.set(m.key!.toString(), JSON.parse(m.value!.toString()) as SubjectKeyRecord)));
  return out;
}

/**
 * Reads the first `limit` records of `topic` and opens `department`'s section of each with the stock decrypt();
 * returns ms from the first record and how many opened (the context and id checks passed).
 */
export async function stockRead(opts: { brokers: string[]; topic: string; limit: number; department: string; keyring: KeyringNode; keyRecords: Map<string, SubjectKeyRecord> }): Promise<{ ms: number; opened: number }> {
  const subjectKeyrings = new Map<string, KeyringNode>();
  const subjectKeyring = async (envelope: Envelope, keyId: string): Promise<KeyringNode> => {
    let keyring = subjectKeyrings.get(keyId);
    if (keyring) return keyring;
    const rec = opts.keyRecords.get(subjectKeyRecordKey(envelope.recipient!, opts.department, keyId));
    if (!rec) throw new Error(`no key record for ${keyId}`);
    const { plaintext, messageHeader } = await decrypt(opts.keyring, Buffer.from(rec.sealed, 'base64'));
    const p = JSON.parse(plaintext.toString('utf8')) as SubjectKeyPlaintext;
    if (messageHeader.encryptionContext['sealpost:purpose'] !== 'subject-key' || p.keyId !== keyId || p.subject !== rec.subject || p.department !== opts.department) throw new Error('key record check failed');
    keyring = new RawAesKeyringNode({
      keyName: keyId,
      keyNamespace: SUBJECT_KEY_NAMESPACE,
      unencryptedMasterKey: new Uint8Array(Buffer.from(p.key, 'base64')),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
    subjectKeyrings.set(keyId, keyring);
    return keyring;
  };
  let opened = 0;
  const ms = await rawRead(opts.brokers, opts.topic, opts.limit, async (messages) => {
    for (const m of messages) {
      const envelope = JSON.parse(m.value!.toString('utf8')) as Envelope;
      const keyId = envelope.keys?.[opts.department];
      const keyring = keyId === undefined ? opts.keyring : await subjectKeyring(envelope, keyId);
      const { plaintext, messageHeader } = await decrypt(keyring, Buffer.from(envelope.sections[opts.department]!, 'base64'));
      if (keyId !== undefined && messageHeader.encryptionContext[SUBJECT_KEY_CONTEXT_KEY] !== keyId) continue;
      if (checkOpenedSection(envelope, opts.department, messageHeader.encryptionContext, plaintext).state === 'open') opened += 1;
    }
  });
  return { ms, opened };
}
