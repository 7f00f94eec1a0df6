import type { SubjectKey } from '../../../../shared/seal/index.js';

/**
 * Subject keys the keyring let go of (evicted, replaced, forgotten), discarded (zeroed, with their
 * materials) as soon as no expand that began before they were let go is still running. Not at once: an
 * expand takes its keys from the cache first and may seal with them only after an await (a department's
 * materials renewed), and a seal under a zeroed key fails. An expand that begins later cannot reach a key
 * that has left the cache, so it never delays a discard.
 */
export function createRetiredKeys(discard: (keys: SubjectKey[]) => void) {
  let epoch = 0;
  const pending: { key: SubjectKey; epoch: number }[] = [];
  const running = new Set<{ since: number }>();

  const sweep = (): void => {
    let oldest = Infinity;
    for (const r of running) oldest = Math.min(oldest, r.since);
    let n = 0;
    while (n < pending.length && pending[n]!.epoch <= oldest) n++;
    if (n > 0) discard(pending.splice(0, n).map((p) => p.key));
  };

  return {
    /** An expand begins; call the returned function once it has settled (sealed, or failed). */
    enter(): () => void {
      const r = { since: epoch };
      running.add(r);
      return () => {
        if (running.delete(r)) sweep();
      };
    },
    /** `key` left the cache: discarded once the expands that might hold it have settled. */
    retire(key: SubjectKey): void {
      pending.push({ key, epoch: ++epoch });
      if (running.size === 0) sweep();
    },
    /** Every key retired and not yet discarded, now (closing: no expand will run again). */
    discardAll(): void {
      if (pending.length) discard(pending.splice(0).map((p) => p.key));
    },
  };
}
