import { sectionContext } from '../envelope/index.js';
import { fits, retire, type Held } from './held-materials.js';
import type { NativeSeal } from './native-seal.js';
import type { MaterialsLimits } from './section-sealer-options.js';
import { subjectParts, subjectTemplate, type SubjectTemplate } from './subject-template.js';
import type { SubjectKey } from './subject-wrap.js';
import type { SealInput } from './types.js';
import type { SealParts } from './write-message.js';

/** What a slot's section context is made of. */
type SectionContextOf = Pick<SealInput, 'department' | 'source' | 'policyVersion'>;

/**
 * Materials under subject keys, held per (subject key, slot) and renewed within the same limits as a
 * department's. A renewal is a header copy and a local AES-GCM wrap (subject-template.ts), synchronous,
 * never KMS; the template is made once per slot (department, source, policy version).
 *
 * Held beside the SubjectKey object in a WeakMap, so they go with the key. The caller that lets go of a
 * key (evicted, forgotten, never kept) calls `drop` once nothing will seal with it again: its data keys are
 * zeroed then rather than left in the heap until collected.
 */
/** Materials under one subject key for one slot (a class: no closures per key, thousands are held). */
class SubjectHeld implements Held {
  messages = 0;
  bytes = 0;
  constructor(
    readonly slot: string,
    readonly sealParts: SealParts,
    readonly createdAt: number,
  ) {}
  parts(): SealParts {
    return this.sealParts;
  }
  retire(): void {
    this.sealParts.dataKey.fill(0);
  }
}

export function createSubjectMaterials(opts: { limits: MaterialsLimits; now: () => number; native?: NativeSeal | undefined }) {
  // Most subject keys seal for one slot: the Held itself, a Map only once there are several.
  const bySubjectKey = new WeakMap<SubjectKey, SubjectHeld | Map<string, SubjectHeld>>();
  const templates = new Map<string, SubjectTemplate>();
  let renewals = 0;

  const heldOf = (subjectKey: SubjectKey, slot: string): SubjectHeld | undefined => {
    const v = bySubjectKey.get(subjectKey);
    return v instanceof Map ? v.get(slot) : v?.slot === slot ? v : undefined;
  };
  const keep = (subjectKey: SubjectKey, h: SubjectHeld): void => {
    const v = bySubjectKey.get(subjectKey);
    if (!v || (!(v instanceof Map) && v.slot === h.slot)) bySubjectKey.set(subjectKey, h);
    else if (v instanceof Map) v.set(h.slot, h);
    else bySubjectKey.set(subjectKey, new Map([[v.slot, v], [h.slot, h]]));
  };

  return {
    /**
     * Materials of `subjectKey` for `slot` (the section context of `section`) that can seal `length` more bytes;
     * renews them when spent, after calling `beforeRenew` (the caller writes what it grouped under the old ones first).
     */
    fitting(subjectKey: SubjectKey, slot: string, section: SectionContextOf, length: number, beforeRenew: () => void): Held {
      const h = heldOf(subjectKey, slot);
      const now = opts.now();
      if (fits(h, length, opts.limits, now)) return h;
      if (h) beforeRenew();
      let t = templates.get(slot);
      if (!t) templates.set(slot, (t = subjectTemplate(sectionContext(section.department, section.source, section.policyVersion))));
      const fresh = new SubjectHeld(slot, subjectParts(t, subjectKey, opts.native), now);
      keep(subjectKey, fresh);
      retire(h);
      renewals++;
      return fresh;
    },
    /** Zeroes the data keys of every materials made under `subjectKey` and forgets them. */
    drop(subjectKey: SubjectKey): void {
      const v = bySubjectKey.get(subjectKey);
      if (v instanceof Map) for (const h of v.values()) h.retire();
      else v?.retire();
      bySubjectKey.delete(subjectKey);
    },
    /** Materials made under subject keys so far (new subject keys, and renewals). */
    renewals: () => renewals,
  };
}
