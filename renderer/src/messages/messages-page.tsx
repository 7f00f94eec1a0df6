import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { GridApi, GridReadyEvent, IRowNode } from 'ag-grid-community';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { Cursor, DecryptedRow, MessageRow, ScanProgress } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { messageColumns } from './columns.js';
import { DetailPane } from './detail-pane.js';
import { FiltersBar, hasFilters, type Filters } from './filters-bar.js';
import { exportLoadedRows } from './export-view.js';
import { PositionControls, START, windowStart, type Position } from './position-controls.js';
import { ScanBar } from './scan-bar.js';
import { useLiveTail } from './use-live-tail.js';

/** Rows the grid holds at most: beyond it the oldest loaded rows are dropped, so memory stays bounded. */
export const MAX_ROWS = 100_000;
const DECRYPT_BATCH = 500;

/**
 * The message browser: windows of rows (newest, oldest, from offset, from time, live tail) in a
 * virtualised grid, clear-part filters, budgeted scans with progress, decryption of the visible rows
 * only with the chosen profile, a detail pane, and export of the loaded rows.
 */
export function MessagesPage(props: { topic: string; profile: string }) {
  const { topic, profile } = props;
  const gridRef = useRef<GridApi<MessageRow> | null>(null);
  const [position, setPosition] = useState<Position>(START);
  const mode = position.mode;
  const [filters, setFilters] = useState<Filters>({});
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const [status, setStatus] = useState({ rows: 0, scanned: 0, end: false, budgetSpent: false, loading: false, loads: 0 });
  const [error, setError] = useState<unknown>(null);
  const [departments, setDepartments] = useState<string[]>([]);
  const [decrypt, setDecrypt] = useState(false);
  const decrypted = useRef(new Map<string, DecryptedRow>());
  const [decryptedVersion, setDecryptedVersion] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [tail, setTail] = useState(false);
  const [scan, setScan] = useState<ScanProgress | null>(null);
  const scanRows = useRef(0);
  const [exportNote, setExportNote] = useState<string | null>(null);
  const reqId = useRef(0);

  const columns = useMemo(() => messageColumns({ departments, decrypt, decrypted: () => decrypted.current }), [departments, decrypt]);

  const noteDepartments = useCallback((rows: readonly MessageRow[]) => {
    setDepartments((cur) => {
      const next = new Set(cur);
      for (const r of rows) for (const d of r.departments) next.add(d);
      return next.size === cur.length ? cur : [...next].sort();
    });
  }, []);

  /** Adds rows to the grid (at the top for live tail), dropping the farthest ones beyond MAX_ROWS. */
  const addRows = useCallback(
    (rows: MessageRow[], where: 'replace' | 'append' | 'prepend') => {
      const g = gridRef.current;
      if (!g) return;
      if (where === 'replace') g.setGridOption('rowData', rows);
      else if (rows.length) g.applyTransaction(where === 'prepend' ? { add: rows, addIndex: 0 } : { add: rows });
      const count = g.getDisplayedRowCount();
      if (count > MAX_ROWS) {
        const drop: MessageRow[] = [];
        const first = where === 'prepend' ? MAX_ROWS : 0;
        const last = where === 'prepend' ? count : count - MAX_ROWS;
        for (let i = first; i < last; i++) {
          const n = g.getDisplayedRowAtIndex(i);
          if (n?.data) drop.push(n.data);
        }
        g.applyTransaction({ remove: drop });
        for (const r of drop) decrypted.current.delete(r.id);
      }
      noteDepartments(rows);
      setStatus((s) => ({ ...s, rows: g.getDisplayedRowCount() }));
    },
    [noteDepartments],
  );

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
      const id = ++reqId.current;
      setError(null);
      if (!more) setScan(null);
      setStatus((s) => ({ ...s, loading: true }));
      try {
        const w = await api.messageWindow(windowArgs(more ? cursor : null));
        if (id !== reqId.current) return;
        if (!more) {
          decrypted.current.clear();
          setSelected(null);
          // A window comes in its own order (newest first, or oldest first): no column sort on top.
          gridRef.current?.applyColumnState({ defaultState: { sort: null } });
        }
        addRows(w.rows, more ? 'append' : 'replace');
        setCursor(w.cursor);
        setStatus((s) => ({ ...s, scanned: (more ? s.scanned : 0) + w.scanned, end: w.end, budgetSpent: w.budgetSpent, loading: false, loads: s.loads + 1 }));
        if (!more) void decryptVisibleRef.current();
      } catch (err) {
        if (id === reqId.current) {
          setError(err);
          setStatus((s) => ({ ...s, loading: false }));
        }
      }
    },
    [windowArgs, cursor, addRows],
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

  // ---- decryption of what is on screen ----
  const decryptVisible = useCallback(async () => {
    const g = gridRef.current;
    if (!g || !decrypt) return;
    // The rows in the viewport (right after a load too, before the grid has painted them).
    const pending: MessageRow[] = [];
    const last = Math.min(g.getLastDisplayedRowIndex(), g.getFirstDisplayedRowIndex() + 200);
    for (let i = Math.max(0, g.getFirstDisplayedRowIndex()); i <= last; i++) {
      const r = g.getDisplayedRowAtIndex(i)?.data;
      if (r && r.departments.length && !decrypted.current.has(r.id)) pending.push(r);
    }
    for (let i = 0; i < pending.length; i += DECRYPT_BATCH) {
      const batch = pending.slice(i, i + DECRYPT_BATCH);
      try {
        const res = await api.decrypt({ topic, ids: batch.map((r) => r.id), profile });
        for (const row of res.rows) decrypted.current.set(row.id, row);
        const nodes = batch.map((r) => g.getRowNode(r.id)).filter((n): n is IRowNode<MessageRow> => Boolean(n));
        g.refreshCells({ rowNodes: nodes, force: true });
        setDecryptedVersion((v) => v + 1);
      } catch (err) {
        setError(err);
        return;
      }
    }
  }, [decrypt, topic, profile]);

  const decryptVisibleRef = useRef(decryptVisible);
  decryptVisibleRef.current = decryptVisible;

  useEffect(() => {
    decrypted.current.clear();
    setDecryptedVersion((v) => v + 1);
    if (decrypt) void decryptVisible();
  }, [decrypt, profile, decryptVisible]);

  const scrollTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onScroll = useCallback(() => {
    if (scrollTimer.current) clearTimeout(scrollTimer.current);
    scrollTimer.current = setTimeout(() => void decryptVisible(), 120);
  }, [decryptVisible]);

  // ---- live tail ----
  const onTailRows = useCallback(
    (rows: MessageRow[]) => {
      addRows(rows, 'prepend');
      void decryptVisible();
    },
    [addRows, decryptVisible],
  );
  useLiveTail({ on: tail, topic, filters, profile, onRows: onTailRows, onError: setError });

  // ---- scans ----
  const pollScan = useCallback(
    async (scanId: string, owner: number) => {
      for (;;) {
        const p = await api.scanProgress({ scanId, fromMatch: scanRows.current, maxRows: 5_000 });
        // A window loaded since: this scan no longer owns the grid; stop it.
        if (owner !== reqId.current) {
          if (p.state === 'running') void api.cancelScan({ scanId }).catch(() => {});
          return;
        }
        if (p.rows.length) {
          addRows(p.rows, 'append');
          scanRows.current += p.rows.length;
        }
        setScan(p);
        if (p.state !== 'running' && p.rows.length === 0) return;
        if (p.state === 'running') await new Promise((r) => setTimeout(r, 250));
      }
    },
    [addRows],
  );

  const startScan = useCallback(
    async (resume?: string) => {
      setError(null);
      try {
        // A window still loading must not land in the grid on top of the scan's matches.
        const owner = ++reqId.current;
        setStatus((st) => ({ ...st, loading: false }));
        if (!resume) {
          scanRows.current = 0;
          decrypted.current.clear();
          addRows([], 'replace');
          setCursor(null);
          // Matches arrive partition by partition: keep them in time order, the way the scan goes.
          gridRef.current?.applyColumnState({ state: [{ colId: 'time', sort: mode === 'newest' ? 'desc' : 'asc' }], defaultState: { sort: null } });
        }
        const p = await api.startScan({ topic, filters, direction: mode === 'newest' ? 'newest-first' : 'oldest-first', profile, ...(resume ? { resume } : {}) });
        setScan(p);
        await pollScan(p.scanId, owner);
      } catch (err) {
        setError(err);
      }
    },
    [topic, filters, mode, profile, addRows, pollScan],
  );

  const cancelScan = useCallback(async () => {
    if (scan) setScan(await api.cancelScan({ scanId: scan.scanId }));
  }, [scan]);

  // ---- export ----
  const exportRows = useCallback(
    async (format: 'csv' | 'json') => {
      if (!gridRef.current) return;
      setExportNote(null);
      try {
        setExportNote(await exportLoadedRows(gridRef.current, { topic, format, ...(decrypt ? { profile } : {}) }));
      } catch (err) {
        setError(err);
      }
    },
    [topic, decrypt, profile],
  );

  const filtered = hasFilters(filters);
  const selectedDecrypted = selected ? decrypted.current.get(selected) : undefined;
  void decryptedVersion;

  return (
    <section className="page page-fill messages">
      <div className="toolbar" data-testid="messages-toolbar">
        <PositionControls value={position} onChange={setPosition} />
        <button type="button" className="primary" onClick={() => void load(false)} disabled={status.loading} data-testid="load">
          Load
        </button>
        <button type="button" onClick={() => void load(true)} disabled={status.loading || status.end || !cursor} data-testid="load-more">
          Load more
        </button>
        <span className="divider" />
        <label className="check">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} data-testid="live-tail" /> Live tail
        </label>
        <label className="check">
          <input type="checkbox" checked={decrypt} onChange={(e) => setDecrypt(e.target.checked)} data-testid="decrypt-toggle" /> Decrypt visible rows
        </label>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={() => void exportRows('csv')} data-testid="export-csv">
          Export CSV
        </button>
        <button type="button" className="ghost" onClick={() => void exportRows('json')}>
          Export JSON
        </button>
      </div>
      <FiltersBar onApply={setFilters} busy={status.loading} />
      <ErrorBanner error={error} onRetry={() => void load(false)} onDismiss={() => setError(null)} />
      {scan ? <ScanBar progress={scan} onCancel={() => void cancelScan()} onResume={() => void startScan(scan.scanId)} onClose={() => setScan(null)} /> : null}
      {!scan && filtered && status.budgetSpent ? (
        <div className="banner banner-warn" data-testid="budget-banner">
          <div className="banner-text">
            Read {formatCount(status.scanned)} records and found {formatCount(status.rows)} matching. The rest of the topic was not read yet.
          </div>
          <div className="banner-actions">
            <button type="button" onClick={() => void load(true)}>
              Read further
            </button>
            <button type="button" className="primary" onClick={() => void startScan()} data-testid="scan-start">
              Scan the whole topic
            </button>
          </div>
        </div>
      ) : null}
      <div className="status-line" data-testid="status-line" data-loads={status.loads}>
        <span data-testid="row-count">{formatCount(status.rows)} rows</span>
        {filtered ? <span>filtered · {formatCount(status.scanned)} records read</span> : null}
        {status.end ? <span>end of topic reached</span> : null}
        {status.loading ? <span>loading…</span> : null}
        {decrypt ? <span>decrypting visible rows as {profile}</span> : null}
        {filtered && !scan && !status.budgetSpent ? (
          <button type="button" className="link" onClick={() => void startScan()} data-testid="scan-start">
            Scan the whole topic
          </button>
        ) : null}
        {exportNote ? <span className="ok">{exportNote}</span> : null}
      </div>
      <div className="grid-and-detail">
        <div className="grid-box" data-testid="messages-grid">
          <AgGridReact<MessageRow>
            theme={gridTheme}
            columnDefs={columns}
            defaultColDef={{ resizable: true, sortable: true }}
            getRowId={(p) => p.data.id}
            onGridReady={onGridReady}
            rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
            onRowClicked={(e) => e.data && setSelected(e.data.id)}
            onBodyScroll={onScroll}
            onFirstDataRendered={() => void decryptVisible()}
            onModelUpdated={() => decrypt && onScroll()}
            onBodyScrollEnd={(e) => {
              if (e.direction === 'vertical' && !filtered && !status.end && !status.loading && !tail && !scan) {
                const g = gridRef.current;
                const last = g?.getLastDisplayedRowIndex() ?? 0;
                if (g && last >= g.getDisplayedRowCount() - 5) void load(true);
              }
            }}
            tooltipShowDelay={300}
            suppressCellFocus={false}
            animateRows={false}
            rowBuffer={20}
            overlayNoRowsTemplate="No records here. Try another position or fewer filters."
          />
        </div>
        {selected ? (
          <DetailPane
            topic={topic}
            id={selected}
            decrypted={selectedDecrypted}
            onDecrypt={() => {
              void api.decrypt({ topic, ids: [selected], profile }).then(
                (res) => {
                  for (const row of res.rows) decrypted.current.set(row.id, row);
                  setDecryptedVersion((v) => v + 1);
                },
                (err) => setError(err),
              );
            }}
            onClose={() => setSelected(null)}
          />
        ) : null}
      </div>
    </section>
  );
}
