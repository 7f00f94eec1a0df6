import type { EncryptionContext } from '@aws-crypto/material-management-node';
import { createMessageWriter } from './fast-message.js';
import { fits, retire, type Held } from './held-materials.js';
import type { NativeSeal } from './native-seal.js';
import type { MaterialsLimits } from './section-sealer-options.js';
import { subjectKeyMaterial, type SubjectKey } from './subject-wrap.js';

/**
 * Materials under subject keys, held per (subject key, slot) and renewed within the same limits as a
 * department's. A renewal is a local AES-GCM wrap (subject-wrap.ts), synchronous, never KMS.
 *
 * Held beside the SubjectKey object in a WeakMap: when the caller's cache lets go of a subject key
 * (evicted, forgotten), its materials go with it, and nothing here has to be told. They are not zeroed
 * then, because a seal in flight elsewhere may still hold them; the subject key itself was in memory
 * just as long.
 */
export function createSubjectMaterials(opts: { limits: MaterialsLimits; now: () => number; native: NativeSeal | undefined }) {
  const bySubjectKey = new WeakMap<SubjectKey, Map<string, Held>>();
  let renewals = 0;

  return {
    /**
     * Materials of `subjectKey` for `slot` that can seal `length` more bytes; renews them when spent,
     * after calling `beforeRenew` (the caller writes what it grouped under the old ones first).
     */
    fitting(subjectKey: SubjectKey, slot: string, encryptionContext: () => EncryptionContext, length: number, beforeRenew: () => void): Held {
      let slots = bySubjectKey.get(subjectKey);
      if (!slots) bySubjectKey.set(subjectKey, (slots = new Map()));
      const h = slots.get(slot);
      const now = opts.now();
      if (fits(h, length, opts.limits, now)) return h;
      if (h) beforeRenew();
      const material = subjectKeyMaterial(subjectKey, encryptionContext());
      const fresh: Held = { writer: createMessageWriter(material, undefined, { native: opts.native }), material, createdAt: now, messages: 0, bytes: 0 };
      slots.set(slot, fresh);
      retire(h);
      renewals++;
      return fresh;
    },
    /** Materials made under subject keys so far (new subject keys, and renewals). */
    renewals: () => renewals,
  };
}
