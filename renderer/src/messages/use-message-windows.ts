import { useCallback, useEffect, useRef, useState, type MutableRefObject } from 'react';
import type { GridApi, GridReadyEvent } from 'ag-grid-community';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { Cursor, MessageRow } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { hasFilters, type Filters } from './filters-bar.js';
import { START, windowStart, type Position } from './position-controls.js';
import type { RowPlacement } from './use-grid-rows.js';

/** What the status line says about the windows loaded so far. */
export interface WindowStatus {
  scanned: number;
  end: boolean;
  budgetSpent: boolean;
  loading: boolean;
  /** Loads finished so far (tests and the benchmark wait on it). */
  loads: number;
}

/** What the page does around a fresh load; read at call time, so they may come from hooks made later. */
export interface WindowEvents {
  /** A fresh (not "load more") load starts: a scan's bar goes. */
  freshStart(): void;
  /** A fresh load's rows are about to replace the grid's: selection and opened sections go. */
  freshRows(): void;
  /** A fresh load is in the grid: decrypt what shows. */
  loaded(): void;
}

/**
 * Windows of records (newest, oldest, from offset, from time) into the grid, "load more" from the
 * cursor, and the reloads that filters or another profile (for a recipient search) call for. `owner`
 * numbers every load: whatever started later (a load, a scan through `takeOver`) owns the grid, and an
 * older answer is dropped.
 */
export function useMessageWindows(opts: {
  gridRef: MutableRefObject<GridApi<MessageRow> | null>;
  topic: string;
  profile: string;
  filters: Filters;
  addRows(rows: MessageRow[], where: RowPlacement): void;
  events: WindowEvents;
  onError(err: unknown): void;
}) {
  const { gridRef, topic, profile, filters, addRows, onError } = opts;
  const events = useRef(opts.events);
  events.current = opts.events;
  const [position, setPosition] = useState<Position>(START);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const [status, setStatus] = useState<WindowStatus>({ scanned: 0, end: false, budgetSpent: false, loading: false, loads: 0 });
  const owner = useRef(0);

  const windowArgs = useCallback(
    (c: Cursor | null): ArgsIn<'messages:window'> => {
      const start = windowStart(position);
      // The profile too: a recipient search gets the blind-index key as the identity the operator views as.
      const base = { topic, ...start, ...(hasFilters(filters) ? { filters } : {}), profile };
      return c ? { ...base, cursor: c } : base;
    },
    [topic, filters, position, profile],
  );

  const load = useCallback(
    async (more: boolean) => {
      const id = ++owner.current;
      onError(null);
      if (!more) events.current.freshStart();
      setStatus((s) => ({ ...s, loading: true }));
      try {
        const w = await api.messageWindow(windowArgs(more ? cursor : null));
        if (id !== owner.current) return;
        if (!more) {
          events.current.freshRows();
          // A window comes in its own order (newest first, or oldest first): no column sort on top.
          gridRef.current?.applyColumnState({ defaultState: { sort: null } });
        }
        addRows(w.rows, more ? 'append' : 'replace');
        setCursor(w.cursor);
        setStatus((s) => ({ ...s, scanned: (more ? s.scanned : 0) + w.scanned, end: w.end, budgetSpent: w.budgetSpent, loading: false, loads: s.loads + 1 }));
        if (!more) void events.current.loaded();
      } catch (err) {
        if (id === owner.current) {
          onError(err);
          setStatus((s) => ({ ...s, loading: false }));
        }
      }
    },
    [gridRef, windowArgs, cursor, addRows, onError],
  );

  // First page as soon as the grid exists; filters applied reload from the start.
  const ready = useRef(false);
  const onGridReady = useCallback(
    (e: GridReadyEvent<MessageRow>) => {
      gridRef.current = e.api;
      ready.current = true;
      void load(false);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  useEffect(() => {
    if (ready.current) void load(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters]);
  // A recipient search depends on who may have the blind-index key: another profile searches again.
  const searchedAs = useRef(profile);
  useEffect(() => {
    if (searchedAs.current === profile) return;
    searchedAs.current = profile;
    if (ready.current && filters.recipient) void load(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [profile]);

  /** Another reader (a scan) takes the grid: loads in flight are dropped; `fresh` also forgets the cursor. Returns its owner number. */
  const takeOver = useCallback((fresh: boolean): number => {
    const id = ++owner.current;
    setStatus((st) => ({ ...st, loading: false }));
    if (fresh) setCursor(null);
    return id;
  }, []);
  const owns = useCallback((id: number) => id === owner.current, []);

  return { position, setPosition, cursor, status, load, onGridReady, takeOver, owns };
}
