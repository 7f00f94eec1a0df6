/**
 * Remembers login signatures until they could no longer pass the freshness check, so a captured
 * signed request cannot be presented twice (STS itself would accept it again for 15 minutes).
 */
export function createReplayGuard(opts: { now: () => number; maxEntries?: number }) {
  const seen = new Map<string, number>();
  const maxEntries = opts.maxEntries ?? 100_000;
  const sweep = (): void => {
    const t = opts.now();
    for (const [sig, until] of seen) if (until <= t) seen.delete(sig);
  };
  return {
    /** True the first time `signature` is presented (and remembers it until `until`); false on a replay. */
    claim(signature: string, until: number): boolean {
      if (seen.size >= maxEntries) sweep();
      const held = seen.get(signature);
      if (held !== undefined && held > opts.now()) return false;
      seen.set(signature, until);
      return true;
    },
    size: () => seen.size,
  };
}
export type ReplayGuard = ReturnType<typeof createReplayGuard>;
