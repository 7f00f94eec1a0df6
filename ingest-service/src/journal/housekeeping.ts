import type { SealpostError } from '../../../shared/errors/index.js';
import type { JournalCore } from './core.js';
import type { Dedupe } from './dedupe.js';

const PRUNE_BATCH = 2000;

/** The journal's housekeeping; see startHousekeeping. */
export interface Housekeeping {
  /** One round of retention and claim expiry (at most maxRows of each); returns what was deleted. */
  prune(maxRows?: number): Promise<{ entries: number; claims: number }>;
  stop(): void;
}

/**
 * A timer (unreferenced: it never keeps the process alive) that, while the journal is unavailable,
 * probes with a write until one succeeds (so /readyz recovers without traffic), and once a minute
 * deletes forwarded entries past retention and dedupe claims past their window, in bounded rounds.
 */
export function startHousekeeping(core: JournalCore, deps: { dedupe: Dedupe; retainForwardedSeconds?: number; intervalMs?: number }): Housekeeping {
  const retainMs = (deps.retainForwardedSeconds ?? 3600) * 1000;
  const prune = (maxRows = PRUNE_BATCH): Promise<{ entries: number; claims: number }> =>
    core.write({ op: 'prune', forwardedBefore: core.clock.now() - retainMs, claimsBefore: deps.dedupe.expiredBefore(), limit: maxRows });

  let lastPrune = 0;
  let busy = false;
  const round = async (): Promise<void> => {
    if (core.closed || busy) return;
    busy = true;
    try {
      if (core.unavailable !== undefined) {
        await core.write({ op: 'probe', now: core.clock.now() });
        core.log.info('journal writable again');
        core.unavailable = undefined;
      }
      if (core.clock.now() - lastPrune < 60_000) return;
      lastPrune = core.clock.now();
      for (;;) {
        const r = await prune();
        if (core.closed || (r.entries < PRUNE_BATCH && r.claims < PRUNE_BATCH)) break;
      }
    } catch (err) {
      if (core.unavailable === undefined) core.log.warn({ code: (err as SealpostError).code }, 'journal housekeeping failed; will retry');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void round(), deps.intervalMs ?? 5000);
  timer.unref();
  return { prune, stop: () => clearInterval(timer) };
}
