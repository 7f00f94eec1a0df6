import { CONTEXT_KEYS, sectionContext, type Envelope, type SectionPlaintext } from '../envelope/index.js';
import type { SectionResult } from './types.js';

/** What an authentication failure says, short enough for a lock message: the first line of the SDK's error. */
export function failureReason(err: unknown): string {
  return (err as Error)?.message?.split('\n')[0]?.slice(0, 120) ?? 'unknown error';
}

/**
 * What every reader must check after the ESDK said "authentic": the message is authentic, but not
 * necessarily THIS section. The encryption context must name this department, source and policy
 * version (else a section was moved between departments or records), and the plaintext must carry
 * this event's id (the context is kept low-cardinality for caching, so the id is bound inside).
 * Extra context keys are allowed (a newer writer may add some); the three must match exactly.
 */
export function checkOpenedSection(envelope: Envelope, department: string, encryptionContext: Readonly<Record<string, string>>, plaintext: Buffer): SectionResult {
  // The three keys in sectionContext's order, read directly (no context object per section); the message names the first that differs.
  const k =
    encryptionContext[CONTEXT_KEYS.department] !== department
      ? CONTEXT_KEYS.department
      : encryptionContext[CONTEXT_KEYS.source] !== envelope.source
        ? CONTEXT_KEYS.source
        : encryptionContext[CONTEXT_KEYS.policyVersion] !== String(envelope.policyVersion)
          ? CONTEXT_KEYS.policyVersion
          : undefined;
  if (k !== undefined) {
    const v = sectionContext(department, envelope.source, envelope.policyVersion)[k]!;
    return {
      state: 'locked',
      code: 'tampered',
      check: 'context',
      message: `the ${department} section's encryption context says ${k} = ${JSON.stringify(encryptionContext[k] ?? null)}, not ${JSON.stringify(v)}: it was moved from another department, source or policy version; do not trust it`,
    };
  }
  let parsed: Partial<SectionPlaintext>;
  try {
    parsed = JSON.parse(plaintext.toString('utf8')) as Partial<SectionPlaintext>;
  } catch {
    return { state: 'locked', code: 'tampered', check: 'authentication', message: `the ${department} section decrypted but is not JSON; report it to the ingest service owners` };
  }
  if (!parsed || typeof parsed !== 'object' || parsed.id !== envelope.id || parsed.department !== department) {
    return {
      state: 'locked',
      code: 'tampered',
      check: 'id',
      message: `the ${department} section belongs to another event or department (its id does not match this record): it was copied from another record; do not trust it`,
    };
  }
  if (!parsed.fields || typeof parsed.fields !== 'object' || Array.isArray(parsed.fields)) {
    return { state: 'locked', code: 'tampered', check: 'authentication', message: `the ${department} section has no fields object; report it to the ingest service owners` };
  }
  return { state: 'open', fields: parsed.fields };
}
