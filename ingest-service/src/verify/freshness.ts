import { unauthenticated } from './errors.js';

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Parses a unix-seconds timestamp header strictly (digits only), so that a signed value such as
 * "1700000000abc" or " 1700000000" cannot pass a lenient parseInt.
 */
export function parseUnixSeconds(value: string, header: string): number {
  if (!UNIX_SECONDS.test(value)) {
    throw unauthenticated('bad_timestamp', `The ${header} header must be unix time in seconds (digits only).`);
  }
  return Number(value);
}

/**
 * Refuses a signed timestamp more than maxAgeSeconds away from our clock, in either direction: an old
 * one is a replay, one far ahead lets a captured request be replayed for longer. 0 turns the check off.
 */
export function checkFreshness(timestampMs: number, nowMs: number, maxAgeSeconds: number, what: string): void {
  if (maxAgeSeconds === 0) return;
  const skewSeconds = (nowMs - timestampMs) / 1000;
  if (skewSeconds > maxAgeSeconds) {
    throw unauthenticated(
      'stale_timestamp',
      `The ${what} is ${Math.round(skewSeconds)} s old, more than the ${maxAgeSeconds} s allowed: a replay, or a clock out of sync (check NTP on both sides, or raise verify.maxAgeSeconds).`,
    );
  }
  if (-skewSeconds > maxAgeSeconds) {
    throw unauthenticated(
      'stale_timestamp',
      `The ${what} is ${Math.round(-skewSeconds)} s ahead of this server's clock, more than the ${maxAgeSeconds} s allowed: check NTP on both sides.`,
    );
  }
}
