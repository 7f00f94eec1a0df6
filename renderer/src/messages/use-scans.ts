import { useCallback, useRef, useState, type MutableRefObject } from 'react';
import type { GridApi } from 'ag-grid-community';
import type { MessageRow, ScanProgress } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import type { Filters } from './filters-bar.js';
import type { OpenedFilter } from './opened-filter-bar.js';
import type { RowPlacement } from './use-grid-rows.js';

const POLL_MS = 250;
const ROWS_PER_POLL = 5_000;

/**
 * Budgeted scans of the whole topic: start (the grid is emptied and takes the matches as they come, in
 * time order), poll progress, cancel, resume; optionally on opened fields too. A scan gives the grid back as soon as anything else loads.
 */
export function useScans(opts: {
  gridRef: MutableRefObject<GridApi<MessageRow> | null>;
  topic: string;
  profile: string;
  filters: Filters;
  newestFirst: boolean;
  addRows(rows: MessageRow[], where: RowPlacement): void;
  /** Takes the grid from any window load (see useMessageWindows); `fresh` empties it. */
  takeOver(fresh: boolean): number;
  owns(owner: number): boolean;
  /** A fresh scan starts: opened sections of the old rows go. */
  freshRows(): void;
  onError(err: unknown): void;
}) {
  const { gridRef, topic, profile, filters, newestFirst, addRows, takeOver, owns, freshRows, onError } = opts;
  const [scan, setScan] = useState<ScanProgress | null>(null);
  const received = useRef(0);

  const poll = useCallback(
    async (scanId: string, owner: number) => {
      for (;;) {
        const p = await api.scanProgress({ scanId, fromMatch: received.current, maxRows: ROWS_PER_POLL });
        // A window loaded since: this scan no longer owns the grid; stop it.
        if (!owns(owner)) {
          if (p.state === 'running') void api.cancelScan({ scanId }).catch(() => {});
          return;
        }
        if (p.rows.length) {
          addRows(p.rows, 'append');
          received.current += p.rows.length;
        }
        setScan(p);
        if (p.state !== 'running' && p.rows.length === 0) return;
        if (p.state === 'running') await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    [addRows, owns],
  );

  /** Starts a scan of the clear filters (and `opened`, searched in the opened sections), or resumes `resume`. */
  const startScan = useCallback(
    async (opts: { resume?: string; opened?: OpenedFilter } = {}) => {
      const { resume, opened } = opts;
      onError(null);
      try {
        // A window still loading must not land in the grid on top of the scan's matches.
        const owner = takeOver(!resume);
        if (!resume) {
          received.current = 0;
          freshRows();
          addRows([], 'replace');
          // Matches arrive partition by partition: keep them in time order, the way the scan goes.
          gridRef.current?.applyColumnState({ state: [{ colId: 'time', sort: newestFirst ? 'desc' : 'asc' }], defaultState: { sort: null } });
        }
        const p = await api.startScan({ topic, filters, direction: newestFirst ? 'newest-first' : 'oldest-first', profile, ...(resume ? { resume } : {}), ...(opened && !resume ? { opened } : {}) });
        setScan(p);
        await poll(p.scanId, owner);
      } catch (err) {
        onError(err);
      }
    },
    [gridRef, topic, filters, newestFirst, profile, addRows, takeOver, freshRows, poll, onError],
  );

  const cancelScan = useCallback(async () => {
    if (scan) setScan(await api.cancelScan({ scanId: scan.scanId }));
  }, [scan]);

  return { scan, startScan, cancelScan, closeScan: useCallback(() => setScan(null), []) };
}
