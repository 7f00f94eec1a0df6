import { sectionContext, type SectionPlaintext } from '../envelope/index.js';
import { SealpostError } from '../errors/index.js';
import { subjectKeyContext, type SubjectKeyPlaintext } from '../subject-keys/format.js';
import { SEAL_ERRORS } from './errors.js';
import { closedError, createDepartmentMaterials, type Held } from './held-materials.js';
import { nativeSeal } from './native-seal.js';
import { checkLimits, type SectionSealerOptions } from './section-sealer-options.js';
import { createSubjectMaterials } from './subject-materials.js';
import type { SubjectKey } from './subject-wrap.js';
import type { SealInput, SealerStats, SectionSealer } from './types.js';
import { packPlaintexts, writeRange, type PackedPlaintexts } from './write-groups.js';
import type { SealParts } from './write-message.js';

/** Statistics with the sealer's extra counters. */
export interface SectionSealerStats extends SealerStats {
  /** Requests the sealer made to materials managers (renewals). */
  materialsRequests: number;
  /** Materials made under subject keys (a local wrap each, never KMS). */
  subjectMaterials: number;
}

/** The SectionSealer seam, with what this implementation adds. */
export interface FastSectionSealer extends SectionSealer {
  /**
   * Seals each subject key (SubjectKeyPlaintext JSON) under its department's key with context
   * `subjectKeyContext(department)`: one base64 ESDK message per input, in order. The same held
   * materials serve every subject key of a department, so a new subject costs no KMS call.
   */
  sealSubjectKeys(inputs: readonly SubjectKeyPlaintext[]): Promise<string[]>;
  /**
   * Zeroes these subject keys and the data keys of the materials made under them, once the caller will
   * seal nothing more with them (evicted, forgotten, a throwaway key): a later seal under one fails.
   */
  discardSubjectKeys(keys: readonly SubjectKey[]): void;
  stats(): SectionSealerStats;
}

/**
 * Where one message is sealed: a department's held materials for a section's context (`section`) or for
 * the subject-key context (`key-wrap`), or a subject key's. Plain objects, no closure per message: under
 * tsx every closure also costs a keep-names call, and a batch makes one target per section.
 */
type Target =
  | { kind: 'section'; slot: string; input: SealInput }
  | { kind: 'key-wrap'; slot: string; department: string }
  | { kind: 'subject'; slot: string; input: SealInput & { subjectKey: NonNullable<SealInput['subjectKey']> } };

const contextOf = (t: Exclude<Target, { kind: 'subject' }>): Record<string, string> =>
  t.kind === 'section' ? sectionContext(t.input.department, t.input.source, t.input.policyVersion) : subjectKeyContext(t.department);

/**
 * The sealer the ingest forwarder uses: turns each SealInput into one standard AWS Encryption SDK
 * message (suite 0x0478, framed, unsigned) that the stock `decrypt()` of any ESDK opens with the
 * department's keyring, with encryption context `sectionContext(department, source, policyVersion)`
 * (plus whatever the CMM adds) and plaintext `JSON.stringify({ id, department, fields })`.
 *
 * Why not `encrypt()`: it costs ~200-300 µs per small message in stream plumbing; this path writes
 * the same bytes synchronously (shared/seal/fast-message.ts) at ~15-20 µs per section, on the main
 * thread. Materials are held per (department, source, policy version) and reused within `limits`.
 *
 * Contract (used by the ingest forwarder and the KMS keyrings; keep stable):
 *  - `sealMany(inputs)` resolves to one base64 message per input, in input order;
 *  - it rejects with a retriable SealpostError SP_SEAL_MATERIALS_UNAVAILABLE when a CMM/keyring
 *    fails (KMS away, throttled, denied: the operator may fix the key policy, then retries succeed),
 *    and with non-retriable SP_SEAL_UNSEALABLE_SECTION (details.index) for a section JSON cannot hold;
 *  - `close()` zeroes every held data key; later calls reject with SP_SEAL_CLOSED.
 */
export function createSectionSealer(options: SectionSealerOptions): FastSectionSealer {
  const limits = checkLimits(options.limits);
  const now = options.now ?? Date.now;
  const native = options.native === null ? undefined : (options.native ?? nativeSeal());
  const departments = createDepartmentMaterials({ materialsFor: options.materialsFor, limits, now, native });
  const subjects = createSubjectMaterials({ limits, now, native });
  let closed = false;
  let sectionsSealed = 0;
  // Slot names (department, source, policy version) made once: a string built per section cost more than
  // the map lookups it keys. Bounded by the configured sources, departments and policy versions.
  const slots = new Map<string, Map<string, Map<number, string>>>();
  const slotOf = (department: string, source: string, policyVersion: number): string => {
    let bySource = slots.get(department);
    if (!bySource) slots.set(department, (bySource = new Map()));
    let byVersion = bySource.get(source);
    if (!byVersion) bySource.set(source, (byVersion = new Map()));
    let slot = byVersion.get(policyVersion);
    if (slot === undefined) byVersion.set(policyVersion, (slot = `${department}\u0000${source}\u0000${policyVersion}`));
    return slot;
  };

  /**
   * Seals message k of `pts` at targets[k], then zeroes `pts` (clear fields). Messages are written in input
   * order, a range per native call (write-groups.ts); a range is written before anything awaits and before
   * any materials in it are renewed (retired), so materials are renewed (awaited) only between ranges.
   */
  async function sealAt(targets: readonly Target[], pts: PackedPlaintexts): Promise<string[]> {
    const out = new Array<string>(targets.length);
    const parts = new Array<SealParts>(targets.length);
    let written = 0;
    let cursor = 0;
    const flush = (): void => {
      writeRange(parts, pts, written, cursor, native, out);
      written = cursor;
    };
    try {
      for (let i = 0; i < targets.length; i++) {
        cursor = i;
        const t = targets[i]!;
        const length = pts.offsets[i + 1]! - pts.offsets[i]!;
        let h: Held | undefined;
        if (t.kind === 'subject') {
          h = subjects.fitting(t.input.subjectKey, t.slot, t.input, length, flush);
        } else {
          h = departments.fitting(t.slot, length);
          while (!h) {
            flush();
            const fresh = await departments.renew(t.slot, t.kind === 'section' ? t.input.department : t.department, contextOf(t));
            if (closed) throw closedError();
            h = departments.fitting(t.slot, length) ?? (departments.current(t.slot) === fresh && fresh.messages === 0 ? fresh : undefined);
          }
        }
        h.messages++;
        h.bytes += length;
        parts[i] = h.parts();
      }
      cursor = targets.length;
      flush();
      return out;
    } finally {
      pts.bytes.fill(0);
    }
  }

  async function sealMany(inputs: readonly SealInput[]): Promise<string[]> {
    if (closed) throw closedError();
    const targets = new Array<Target>(inputs.length);
    for (let index = 0; index < inputs.length; index++) {
      const input = inputs[index]!;
      const slot = slotOf(input.department, input.source, input.policyVersion);
      targets[index] = input.subjectKey ? { kind: 'subject', slot, input: input as SealInput & { subjectKey: NonNullable<SealInput['subjectKey']> } } : { kind: 'section', slot, input };
    }
    const pts = packPlaintexts(inputs.length, (index) => {
      const input = inputs[index]!;
      const section: SectionPlaintext = { id: input.id, department: input.department, fields: input.fields };
      try {
        return JSON.stringify(section);
      } catch (err) {
        throw new SealpostError(SEAL_ERRORS.unsealableSection, `section ${index} (department "${input.department}") cannot be serialised to JSON`, {
          cause: err,
          details: { index, department: input.department },
        });
      }
    });
    const out = await sealAt(targets, pts);
    sectionsSealed += out.length;
    return out;
  }

  async function sealSubjectKeys(inputs: readonly SubjectKeyPlaintext[]): Promise<string[]> {
    if (closed) throw closedError();
    const pts = packPlaintexts(inputs.length, (i) => {
      const k = inputs[i]!;
      return JSON.stringify({ keyId: k.keyId, subject: k.subject, department: k.department, key: k.key } satisfies SubjectKeyPlaintext);
    });
    // A slot of its own per department (the context differs from every section's): "\u0001" cannot start a source id.
    const targets = inputs.map((k): Target => ({ kind: 'key-wrap', slot: `${k.department}\u0001subject-key`, department: k.department }));
    return sealAt(targets, pts);
  }

  return {
    sealMany,
    sealSubjectKeys,
    discardSubjectKeys(keys) {
      for (const k of keys) {
        subjects.drop(k);
        k.key.fill(0);
      }
    },
    stats: () => {
      const c = departments.counters();
      return { sectionsSealed, keyringCalls: c.keyringCalls, materialsRequests: c.materialsRequests, subjectMaterials: subjects.renewals() };
    },
    async close() {
      closed = true;
      await departments.close();
    },
  };
}
