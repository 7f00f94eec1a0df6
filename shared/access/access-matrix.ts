import type { EnvelopeOpener, LockReasonCode, OpenOptions, SectionResult } from '../decrypt/types.js';
import type { Envelope } from '../envelope/index.js';
import { kmsFailureKind } from '../kms/errors.js';
import type { Policy } from '../policy/index.js';
import { decryptGrants, type KeyPolicyGrant } from './key-policy.js';

/** The envelope that proved (or failed to prove) access. Ids only: never a personal value. */
export interface ProbeRef {
  envelopeId: string;
  source: string;
  policyVersion: number;
}

/** Whether this profile can read a department, as proved by decrypting a real section of it. */
export type DepartmentAccessState =
  | { state: 'readable'; probe: ProbeRef }
  | { state: 'locked'; code: LockReasonCode; message: string; probe: ProbeRef }
  /** No probe carried a section of this department: nothing is claimed either way. */
  | { state: 'unproved'; message: string };

/** What a KMS key's policy says about kms:Decrypt, or why this profile could not read it. */
export interface KeyPolicyView {
  keyId: string;
  grants?: KeyPolicyGrant[];
  unreadable?: string;
}

export interface DepartmentAccess {
  department: string;
  /** The department's keys as the policy lists them (`kms:ARN`, `local:name`), the first seals. */
  keys: string[];
  access: DepartmentAccessState;
  /** For KMS keys, when a key-policy reader was given. */
  keyPolicies: KeyPolicyView[];
}

/** A cell: this profile's access to a field through one department. */
export type FieldCell = 'readable' | 'locked' | 'unproved' | 'not_granted';

export interface FieldAccess {
  /** Policy rule (source id or kind) the field belongs to. */
  rule: string;
  /** Dotted path as granted, or `*` for "every other personal field". */
  field: string;
  /** Department -> cell. */
  cells: Record<string, FieldCell>;
  /** At least one department this profile can read is granted the field. */
  readable: boolean;
}

export interface AccessMatrix {
  identity: string;
  policyVersion: number;
  checkedAt: string;
  departments: DepartmentAccess[];
  fields: FieldAccess[];
}

export interface AccessMatrixOptions {
  policy: Pick<Policy, 'version' | 'departments' | 'rules'>;
  /** The profile's opener: proof is a real decrypt with it. */
  opener: EnvelopeOpener;
  /** Real envelopes from the topic; per department the newest-policy one carrying its section is decrypted. */
  probes: readonly Envelope[];
  /** Reads key policies with the same identity (a ProfileOpener has it); omitted = no key-policy column. */
  kms?: { readKeyPolicy(keyId: string): Promise<string> };
  /** Passed to the opener (the keys topic, for probes sealed under subject keys). */
  openOptions?: OpenOptions;
}

/**
 * The envelopes that may prove `department`, best first: the current policy version, then the newest; among
 * equals, sections sealed under the department key directly before those under a subject key (v2), whose
 * proof can also fail for a reason that is the subject's, not the profile's (forgotten).
 */
function rankProbes(department: string, probes: readonly Envelope[], version: number): Envelope[] {
  const score = (p: Envelope): number => (p.policyVersion === version ? 1e9 : p.policyVersion) * 2 + (p.keys?.[department] === undefined ? 1 : 0);
  return probes.filter((p) => p.sections?.[department]).sort((a, b) => score(b) - score(a));
}

/** A lock that says something about one subject, not about the profile: another probe is tried. */
const SUBJECT_LOCKS: ReadonlySet<LockReasonCode> = new Set(['forgotten', 'subject_key_missing']);
const MAX_PROBES = 5;

async function keyPolicyView(kms: NonNullable<AccessMatrixOptions['kms']>, keyId: string): Promise<KeyPolicyView> {
  try {
    return { keyId, grants: decryptGrants(await kms.readKeyPolicy(keyId)) };
  } catch (err) {
    const kind = kmsFailureKind(err);
    const why =
      kind === 'access_denied'
        ? 'this profile may not read the key policy (kms:GetKeyPolicy)'
        : kind === 'key_not_found'
          ? 'the key is not visible to this profile (another account or region, or deleted)'
          : err instanceof SyntaxError
            ? 'the key policy is not JSON'
            : `could not read the key policy (${kind})`;
    return { keyId, unreadable: why };
  }
}

/**
 * Departments x fields for one profile, for security reviewers. "Can decrypt" is never guessed from
 * configuration: for each department a real section (from a probe envelope) is decrypted with the
 * profile's opener, and the result, or the lock reason, is what the matrix shows. Where the profile
 * may read them, the key policies say which principals KMS lets decrypt each department key.
 */
export async function accessMatrix(opts: AccessMatrixOptions): Promise<AccessMatrix> {
  const { policy, opener } = opts;
  const departments = Object.keys(policy.departments).sort();
  const ranked = new Map(departments.map((d) => [d, rankProbes(d, opts.probes, policy.version)]));
  const chosen = new Map<string, Envelope>();
  const results = new Map<string, SectionResult | undefined>();
  for (let attempt = 0; attempt < MAX_PROBES; attempt++) {
    const round = new Map<string, Envelope>();
    for (const d of departments) {
      const prior = results.get(d);
      if (attempt > 0 && !(prior?.state === 'locked' && SUBJECT_LOCKS.has(prior.code))) continue;
      const probe = ranked.get(d)![attempt];
      if (probe) round.set(d, probe);
    }
    if (round.size === 0) break;
    // One batch per round: the opener's caches make repeated probes of one envelope free.
    const distinct = [...new Set(round.values())];
    const opened = await opener.open(distinct, opts.openOptions);
    const byEnvelope = new Map(distinct.map((e, i) => [e, opened[i]!]));
    for (const [d, probe] of round) {
      chosen.set(d, probe);
      results.set(d, byEnvelope.get(probe)!.sections[d]);
    }
  }

  const access = new Map<string, DepartmentAccessState>();
  for (const d of departments) {
    const probe = chosen.get(d);
    if (!probe) {
      access.set(d, { state: 'unproved', message: `no probe envelope carries a ${d} section; pick a record that has one to prove access` });
      continue;
    }
    const ref: ProbeRef = { envelopeId: probe.id, source: probe.source, policyVersion: probe.policyVersion };
    const result = results.get(d);
    if (result?.state === 'open') access.set(d, { state: 'readable', probe: ref });
    else if (result) access.set(d, { state: 'locked', code: result.code, message: result.message, probe: ref });
    else access.set(d, { state: 'locked', code: 'unknown', message: `the opener returned nothing for the ${d} section`, probe: ref });
  }

  const departmentRows: DepartmentAccess[] = [];
  for (const d of departments) {
    const keys = policy.departments[d]!.keys.map((k) => ('kms' in k ? `kms:${k.kms}` : `local:${k.local}`));
    const kmsKeys = policy.departments[d]!.keys.flatMap((k) => ('kms' in k ? [k.kms] : []));
    const keyPolicies = opts.kms ? await Promise.all(kmsKeys.map((k) => keyPolicyView(opts.kms!, k))) : [];
    departmentRows.push({ department: d, keys, access: access.get(d)!, keyPolicies });
  }

  const fields: FieldAccess[] = [];
  for (const [rule, r] of Object.entries(policy.rules).sort(([a], [b]) => a.localeCompare(b))) {
    const paths = new Set<string>();
    let anyAll = false;
    for (const granted of Object.values(r.grants)) {
      for (const p of granted) {
        if (p === '*') anyAll = true;
        else paths.add(p);
      }
    }
    const rows = [...[...paths].sort(), ...(anyAll ? ['*'] : [])];
    for (const field of rows) {
      const cells: Record<string, FieldCell> = {};
      for (const d of departments) {
        const granted = r.grants[d] ?? [];
        const has = granted.includes('*') || (field !== '*' && granted.some((g) => field === g || field.startsWith(g + '.')));
        const state = access.get(d)!.state;
        cells[d] = has ? state : 'not_granted';
      }
      fields.push({ rule, field, cells, readable: Object.values(cells).includes('readable') });
    }
  }

  return { identity: await opener.identity(), policyVersion: policy.version, checkedAt: new Date().toISOString(), departments: departmentRows, fields };
}
