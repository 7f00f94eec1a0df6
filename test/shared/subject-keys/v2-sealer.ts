// v2 records as the ingest service writes them by default (subjectKeys.enabled): every section of an event with a
// recipient sealed under that (subject, department)'s subject key by the real sealer, the subject keys sealed under the
// department keys (the service's sealSubjectKeys). Fast enough for benchmarks (a million records); the stock-ESDK
// twin, for proving readers against the contract, is v2-fixtures.ts.
import { randomBytes } from 'node:crypto';
import { ENVELOPE_SCHEMA_V2, type Envelope } from '../../../shared/envelope/index.js';
import { departmentMaterials } from '../../../shared/kms/index.js';
import type { PolicyInput } from '../../../shared/policy/index.js';
import { createSectionSealer, type SubjectKey } from '../../../shared/seal/index.js';
import { SUBJECT_KEY_SCHEMA, subjectKeyRecordKey } from '../../../shared/subject-keys/index.js';
import { fieldsFor, SOURCE } from '../decrypt/fixtures.js';
import { serviceKmsClients } from '../kms/moto-kms.js';
import type { KeysRecord } from './v2-fixtures.js';

/** The people of a v2 stream: a blind index each and, once used, a subject key per department. */
export interface V2Subjects {
  readonly subjects: readonly string[];
  readonly keys: Map<string, SubjectKey>;
}

/** `count` people with random blind indexes (not derived from any address). */
export function createSubjects(count: number): V2Subjects {
  return { subjects: Array.from({ length: count }, () => randomBytes(32).toString('base64url')), keys: new Map() };
}

/**
 * Seals `count` events, event i about subject (offset + i) % subjects; returns the envelopes and the key records
 * of the subject keys first used here (produce them to the keys topic before the records, as the service does).
 */
export async function sealSubjectEnvelopes(opts: {
  policy: Pick<PolicyInput, 'departments'>;
  people: V2Subjects;
  count: number;
  offset: number;
  endpoint?: string;
  localDir?: string;
  idPrefix: string;
}): Promise<{ envelopes: Envelope[]; keyRecords: KeysRecord[] }> {
  const clients = opts.endpoint ? serviceKmsClients(opts.endpoint) : undefined;
  const m = departmentMaterials(opts.policy as never, { ...(opts.localDir ? { localDir: opts.localDir } : {}), ...(clients ? { kmsClients: clients } : {}) });
  const sealer = createSectionSealer({ materialsFor: m.materialsFor, limits: m.limits });
  const departments = Object.keys(opts.policy.departments);
  const fresh: Array<{ subject: string; department: string; key: SubjectKey }> = [];
  const keyOf = (subject: string, department: string): SubjectKey => {
    const slot = `${subject}\u0000${department}`;
    let key = opts.people.keys.get(slot);
    if (!key) {
      key = { id: randomBytes(16).toString('base64url'), key: randomBytes(32) };
      opts.people.keys.set(slot, key);
      fresh.push({ subject, department, key });
    }
    return key;
  };
  try {
    const n = opts.people.subjects.length;
    const events = Array.from({ length: opts.count }, (_, i) => ({ id: `${opts.idPrefix}-${i}`, subject: opts.people.subjects[(opts.offset + i) % n]! }));
    const inputs = events.flatMap((e, i) =>
      departments.map((department) => ({ id: e.id, department, source: SOURCE, policyVersion: 1, subjectKey: keyOf(e.subject, department), fields: fieldsFor(department, opts.offset + i) })),
    );
    const sealed = await sealer.sealMany(inputs);
    const sealedKeys = fresh.length ? await sealer.sealSubjectKeys(fresh.map((f) => ({ keyId: f.key.id, subject: f.subject, department: f.department, key: f.key.key.toString('base64') }))) : [];
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    const keyRecords = fresh.map((f, i) => ({
      key: subjectKeyRecordKey(f.subject, f.department, f.key.id),
      value: JSON.stringify({ schema: SUBJECT_KEY_SCHEMA, subject: f.subject, department: f.department, keyId: f.key.id, createdAt, instance: 'bench', sealed: sealedKeys[i]! }),
    }));
    const envelopes = events.map((e, i): Envelope => ({
      schema: ENVELOPE_SCHEMA_V2,
      id: e.id,
      source: SOURCE,
      kind: 'sendgrid',
      type: 'delivered',
      time: '2026-01-01T00:00:00.000Z',
      receivedAt: '2026-01-01T00:00:01.000Z',
      policyVersion: 1,
      recipient: e.subject,
      clear: { event: 'delivered' },
      sections: Object.fromEntries(departments.map((d, j) => [d, sealed[i * departments.length + j]!])),
      keys: Object.fromEntries(departments.map((d) => [d, keyOf(e.subject, d).id])),
    }));
    return { envelopes, keyRecords };
  } finally {
    await sealer.close();
    m.close();
    clients?.destroy();
  }
}
