// v2 records built with the STOCK ESDK encrypt, in the two documented steps (shared/subject-keys/format.ts), so the
// readers are proved against the contract and not against our own sealer: (1) a subject key sealed under the
// department's keyring (local raw AES, or KMS), (2) each section sealed under a raw AES keyring holding that key.
import { randomBytes } from 'node:crypto';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import kafkajs from 'kafkajs';
import { ENVELOPE_SCHEMA_V2, sectionContext, type Envelope } from '../../../shared/envelope/index.js';
import {
  FORGOTTEN_SCHEMA,
  SUBJECT_KEY_CONTEXT_KEY,
  SUBJECT_KEY_NAMESPACE,
  SUBJECT_KEY_SCHEMA,
  createKeyBook,
  forgottenRecordKey,
  subjectKeyContext,
  subjectKeyRecordKey,
  type KeyBook,
  type SubjectKeySource,
} from '../../../shared/subject-keys/index.js';

const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
export const V2_SOURCE = 'sg-main';

/** One keys-topic record as produced (null value = tombstone). */
export interface KeysRecord {
  key: string;
  value: string | null;
}

/** A person of the fixture: the blind index standing for them, and their subject key per department. */
export interface Person {
  subject: string;
  email: string;
  keys: Record<string, string>;
}

export interface V2World {
  envelopes: Envelope[];
  keyRecords: KeysRecord[];
  people: Record<string, Person>;
  /** The forget of `name`: a tombstone per key and the marker (what the service's forget writes). */
  forget(name: string, at?: string): KeysRecord[];
  /** More events of `name`, sealed under the keys they have now (e.g. still in the journal when forgotten). */
  more(name: string, count: number, idPrefix: string): Promise<Envelope[]>;
}

/** Fields of a person in a department's section (the values are sealed; only tests see them). */
export const fieldsOf = (department: string, p: Person, i: number): Record<string, unknown> =>
  department === 'security' ? { email: p.email, ip: `192.0.2.${i + 1}` } : { email: p.email };

/**
 * Seals `perPerson` events for each person, every department in `departments` sealed under that person's
 * subject key. Key records alternate the stock default suite (signed) and 0x0478 so both opening paths run;
 * sections use 0x0478 (what Sealpost writes) except the last event's, which uses the signed default.
 */
export async function sealV2World(opts: { departments: Record<string, KeyringNode>; people: Record<string, string>; perPerson: number; policyVersion?: number }): Promise<V2World> {
  const policyVersion = opts.policyVersion ?? 1;
  const departments = Object.keys(opts.departments);
  const people: Record<string, Person> = {};
  const keyRecords: KeysRecord[] = [];
  const raw = new Map<string, Buffer>();
  let n = 0;
  for (const [name, email] of Object.entries(opts.people)) {
    const subject = randomBytes(16).toString('base64url');
    const person: Person = { subject, email, keys: {} };
    for (const department of departments) {
      const keyId = randomBytes(16).toString('base64url');
      const key = randomBytes(32);
      raw.set(keyId, key);
      person.keys[department] = keyId;
      const plaintext = JSON.stringify({ keyId, subject, department, key: key.toString('base64') });
      const { result } = await encrypt(opts.departments[department]!, plaintext, {
        encryptionContext: subjectKeyContext(department),
        ...(n++ % 2 ? { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY } : {}),
      });
      const value = { schema: SUBJECT_KEY_SCHEMA, subject, department, keyId, createdAt: new Date(Date.now() - 60_000).toISOString(), instance: 'fixture', sealed: result.toString('base64') };
      keyRecords.push({ key: subjectKeyRecordKey(subject, department, keyId), value: JSON.stringify(value) });
    }
    people[name] = person;
  }
  const seal = async (name: string, count: number, idPrefix: string): Promise<Envelope[]> => {
    const p = people[name]!;
    const out: Envelope[] = [];
    for (let i = 0; i < count; i++) {
      const id = `${idPrefix}-${name}-${i}`;
      const sections: Record<string, string> = {};
      for (const department of departments) {
        const keyId = p.keys[department]!;
        const keyring = new RawAesKeyringNode({
          keyName: keyId,
          keyNamespace: SUBJECT_KEY_NAMESPACE,
          unencryptedMasterKey: new Uint8Array(raw.get(keyId)!),
          wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
        });
        const { result } = await encrypt(keyring, JSON.stringify({ id, department, fields: fieldsOf(department, p, i) }), {
          encryptionContext: { ...sectionContext(department, V2_SOURCE, policyVersion), [SUBJECT_KEY_CONTEXT_KEY]: keyId },
          ...(i < count - 1 ? { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY } : {}),
        });
        sections[department] = result.toString('base64');
      }
      out.push({
        schema: ENVELOPE_SCHEMA_V2,
        id,
        source: V2_SOURCE,
        kind: 'sendgrid',
        type: 'delivered',
        time: '2026-01-01T00:00:00.000Z',
        receivedAt: '2026-01-01T00:00:01.000Z',
        policyVersion,
        recipient: p.subject,
        clear: { event: 'delivered', n: i },
        sections,
        keys: { ...p.keys },
      });
    }
    return out;
  };
  const envelopes: Envelope[] = [];
  for (const name of Object.keys(people)) envelopes.push(...(await seal(name, opts.perPerson, 'evt')));
  return {
    envelopes,
    keyRecords,
    people,
    more: seal,
    forget(name, at = new Date().toISOString()) {
      const p = people[name]!;
      return [
        ...Object.entries(p.keys).map(([department, keyId]) => ({ key: subjectKeyRecordKey(p.subject, department, keyId), value: null })),
        { key: forgottenRecordKey(p.subject), value: JSON.stringify({ schema: FORGOTTEN_SCHEMA, subject: p.subject, forgottenAt: at }) },
      ];
    },
  };
}

/** A book already holding `records`, as a source that is always current (unit tests without Kafka). */
export function staticKeys(records: readonly KeysRecord[], topic = 'sealpost.subject-keys'): SubjectKeySource & { book: KeyBook } {
  const book = createKeyBook();
  for (const r of records) book.apply(r.key, r.value === null ? null : Buffer.from(r.value));
  return {
    topic,
    book,
    ready: async () => {},
    refresh: async () => {},
    key: (id, d, s) => book.key(id, d, s),
    claims: (id) => book.claims(id),
    forgottenAt: (s) => book.forgottenAt(s),
    shredded: (id, d, s) => book.shredded(id, d, s),
    problem: () => undefined,
    onDrop: (l) => book.onDrop(l),
  };
}

/** Creates the compacted keys topic (as the service does) and produces `records` to it, in order. */
export async function produceKeys(brokers: string[], topic: string, records: readonly KeysRecord[], create = true): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  if (create) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }], waitForLeaders: true });
    await admin.disconnect();
  }
  if (!records.length) return;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: records.map((r) => ({ key: r.key, value: r.value })) });
  await producer.disconnect();
}

/** Produces envelopes to `topic` (created by the first send), keyed by recipient as the service keys them. */
export async function produceEnvelopes(brokers: string[], topic: string, envelopes: readonly Envelope[]): Promise<void> {
  const producer = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic, messages: envelopes.map((e) => ({ key: e.recipient ?? e.id, value: JSON.stringify(e) })) });
  await producer.disconnect();
}
