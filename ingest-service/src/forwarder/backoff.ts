/**
 * Delay before retry number `attempt` (1-based): exponential from initialMs, capped at maxMs, with
 * "equal jitter" (half fixed, half random) so many instances recovering from the same outage do not
 * hammer the broker in lockstep, while the delay never collapses to zero.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
