/** What claiming a login signature gave: a first use, a replay, or no room to remember it. */
export type ClaimResult = 'claimed' | 'replayed' | 'full';

/**
 * Remembers login signatures until they could no longer pass the freshness check, so a captured
 * signed request cannot be presented twice (STS itself would accept it again for 15 minutes).
 * Bounded: when every slot holds a still-fresh signature it refuses ('full') rather than grow or
 * forget one (forgetting would reopen a replay). A slot is released when STS refuses the signature,
 * so forged requests do not fill it.
 */
export function createReplayGuard(opts: { now: () => number; maxEntries?: number }) {
  const seen = new Map<string, number>();
  const maxEntries = opts.maxEntries ?? 100_000;
  const sweep = (): void => {
    const t = opts.now();
    for (const [sig, until] of seen) if (until <= t) seen.delete(sig);
  };
  return {
    /** Claims `signature` until `until` the first time it is presented. */
    claim(signature: string, until: number): ClaimResult {
      const held = seen.get(signature);
      if (held !== undefined && held > opts.now()) return 'replayed';
      if (held === undefined && seen.size >= maxEntries) {
        sweep();
        if (seen.size >= maxEntries) return 'full';
      }
      seen.set(signature, until);
      return 'claimed';
    },
    /** Forgets a claimed signature (STS refused it: it can never sign anyone in, replayed or not). */
    release(signature: string): void {
      seen.delete(signature);
    },
    size: () => seen.size,
  };
}
export type ReplayGuard = ReturnType<typeof createReplayGuard>;
