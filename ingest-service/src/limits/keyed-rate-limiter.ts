/**
 * A token bucket per key (a client address, a log reason), in one bounded map: the least recently
 * seen key is forgotten first, so a flood of distinct keys costs a fixed amount of memory. Used
 * wherever an unauthenticated caller could otherwise make the service work (sign-in, refusal logs).
 */
export function createKeyedRateLimiter(opts: { perMinute: number; burst?: number; maxKeys?: number; now: () => number }) {
  const burst = opts.burst ?? opts.perMinute;
  const maxKeys = opts.maxKeys ?? 10_000;
  const perMs = opts.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  const refill = (key: string): { tokens: number; at: number } => {
    const t = opts.now();
    const b = buckets.get(key) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
    b.at = t;
    buckets.delete(key); // re-inserted: most recently seen last
    buckets.set(key, b);
    while (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
    return b;
  };

  return {
    /** True when `key` may go ahead now (and spends one token); false when it must wait. */
    take(key: string): boolean {
      const b = refill(key);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    /** Whole seconds until `key` has a token again (for Retry-After). */
    retryAfterSeconds(key: string): number {
      const b = buckets.get(key);
      if (!b || b.tokens >= 1) return 0;
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    },
    size: (): number => buckets.size,
  };
}
export type KeyedRateLimiter = ReturnType<typeof createKeyedRateLimiter>;

/**
 * The key a client address is limited under: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64,
 * since one host commonly holds a whole /64 and could otherwise rotate through it.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (v4) return v4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const full = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${full.slice(0, 4).map((h) => h.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
