import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

/**
 * What a full map does with a key it does not know: `forget-oldest` drops the least recently seen
 * key (fine where a reset bucket only costs a log line), `refuse` first drops the keys whose bucket
 * has refilled (they are as good as new) and otherwise refuses the new key, so rotating through
 * addresses cannot reset anyone's bucket and the total allowed stays bounded (sign-in: STS calls).
 */
export type WhenFull = 'forget-oldest' | 'refuse';

/**
 * A token bucket per key (a client address, a log reason), in one bounded map, so a flood of
 * distinct keys costs a fixed amount of memory. Used wherever an unauthenticated caller could
 * otherwise make the service work (sign-in, refusal logs).
 */
export function createKeyedRateLimiter(opts: { perMinute: number; burst?: number; maxKeys?: number; whenFull?: WhenFull; now: () => number }) {
  const burst = opts.burst ?? opts.perMinute;
  const maxKeys = opts.maxKeys ?? 10_000;
  const perMs = opts.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const evictOldestBucket = oldestEvictor(buckets);

  const tokensAt = (b: { tokens: number; at: number }, t: number): number => Math.min(burst, b.tokens + (t - b.at) * perMs);

  /** Makes room for one new key; false when the map is full and may not forget anyone. */
  const room = (t: number): boolean => {
    if (buckets.size < maxKeys) return true;
    if (opts.whenFull !== 'refuse') {
      while (buckets.size >= maxKeys) evictOldestBucket();
      return true;
    }
    for (const [key, b] of buckets) if (tokensAt(b, t) >= burst) buckets.delete(key);
    return buckets.size < maxKeys;
  };

  /** The bucket of `key` brought up to now, or undefined when it is new and there is no room. */
  const refill = (key: string): { tokens: number; at: number } | undefined => {
    const t = opts.now();
    const known = buckets.get(key);
    if (!known && !room(t)) return undefined;
    const b = known ?? { tokens: burst, at: t };
    b.tokens = tokensAt(b, t);
    b.at = t;
    buckets.delete(key); // re-inserted: most recently seen last
    buckets.set(key, b);
    return b;
  };

  return {
    /** True when `key` may go ahead now (and spends one token); false when it must wait. */
    take(key: string): boolean {
      const b = refill(key);
      if (!b || b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    /** Whole seconds until `key` has a token again (for Retry-After). */
    retryAfterSeconds(key: string): number {
      const b = buckets.get(key);
      if (!b) return buckets.size >= maxKeys ? Math.max(1, Math.ceil(1 / perMs / 1000)) : 0; // refused while full
      if (b.tokens >= 1) return 0;
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
