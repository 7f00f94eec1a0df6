/** How long `until` waits, and how it shows the last value it saw when it gives up. */
export interface UntilOptions<T> {
  timeoutMs?: number;
  /** The last value as it should appear in the failure (default: its JSON, first 400 characters). */
  show?: (v: T) => string;
}

/**
 * Polls `fn` until `ok`, or fails saying what it waited for and what it last saw: the one polling
 * helper of the tests (services, consoles and child processes all settle asynchronously).
 */
export async function until<T>(what: string, fn: () => T | Promise<T>, ok: (v: T) => boolean, opts: UntilOptions<T> = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const show = opts.show ?? ((v: T) => JSON.stringify(v)?.slice(0, 400) ?? String(v));
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${show(v)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
