import { useEffect, useState } from 'react';
import type { ScanProgress } from '../../../shared/console-api/types.js';
import { api, ConsoleError } from '../api/client.js';

/** Records read at most, and time spent at most, to count one person's records before confirming. */
export const COUNT_BUDGET = { maxRecords: 2_000_000, maxMs: 8_000 } as const;
/** Matches counted at most (the scan keeps them; beyond this the count says "at least"). */
const COUNT_CAP = 100_000;
const POLL_MS = 200;
const TYPING_MS = 350;

/** How many records of one recipient a topic holds, as far as the budget let the scan read. */
export interface AffectedCount {
  state: 'idle' | 'counting' | 'counted';
  matched: number;
  scanned: number;
  /** Records in the topic when the count started. */
  total: number;
  /** True when the budget (or the cap) ran out first: the topic may hold more than `matched`. */
  atLeast: boolean;
  /** The blind index of the matches (all share it), null before the first match. */
  recipient: string | null;
  error: unknown;
}

const IDLE: AffectedCount = { state: 'idle', matched: 0, scanned: 0, total: 0, atLeast: false, recipient: null, error: null };

/**
 * Counts the records of `address` on `topic` with the console's recipient search (a budgeted scan on the
 * blind index, in main: the address never leaves it as such), newest first, polling progress. A new address
 * (typed) restarts it after a pause; closing cancels the scan. Null address: nothing is counted.
 */
export function useAffectedCount(opts: { topic: string; profile: string; address: string | null }): AffectedCount {
  const { topic, profile, address } = opts;
  const [count, setCount] = useState<AffectedCount>(IDLE);
  useEffect(() => {
    setCount(IDLE);
    if (!address) return;
    let live = true;
    let scanId: string | null = null;
    const show = (p: ScanProgress) =>
      live &&
      setCount({
        state: p.state === 'running' ? 'counting' : 'counted',
        matched: p.matched,
        scanned: p.scanned,
        total: p.total,
        atLeast: p.state === 'budget' || p.state === 'capped' || p.state === 'cancelled',
        recipient: p.rows[0]?.recipient ?? null,
        error: p.error ? new ConsoleError(p.error) : null,
      });
    const run = async () => {
      try {
        setCount({ ...IDLE, state: 'counting' });
        let p = await api.startScan({ topic, filters: { recipient: address }, direction: 'newest-first', budget: COUNT_BUDGET, maxMatches: COUNT_CAP, profile });
        scanId = p.scanId;
        while (live && p.state === 'running') {
          show(p);
          await new Promise((r) => setTimeout(r, POLL_MS));
          p = await api.scanProgress({ scanId: p.scanId, fromMatch: 0, maxRows: 1 });
        }
        if (p.matched > 0 && p.rows.length === 0) p = await api.scanProgress({ scanId: p.scanId, fromMatch: 0, maxRows: 1 });
        show(p);
      } catch (err) {
        if (live) setCount({ ...IDLE, state: 'counted', error: err });
      }
    };
    const timer = setTimeout(() => void run(), TYPING_MS);
    return () => {
      live = false;
      clearTimeout(timer);
      if (scanId) void api.cancelScan({ scanId }).catch(() => {});
    };
  }, [topic, profile, address]);
  return count;
}
