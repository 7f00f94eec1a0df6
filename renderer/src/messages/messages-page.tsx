import { useCallback, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { GridApi } from 'ag-grid-community';
import type { ConnectedService, ServiceState } from '../../../shared/console-api/service-types.js';
import type { MessageRow } from '../../../shared/console-api/types.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { forgetAvailability } from '../forget/forget-availability.js';
import { ForgetDialog, type ForgetTarget } from '../forget/forget-dialog.js';
import { messageColumns } from './columns.js';
import { DetailPane } from './detail-pane.js';
import { FiltersBar, hasFilters, type Filters } from './filters-bar.js';
import { OpenedFilterBar } from './opened-filter-bar.js';
import { PositionControls } from './position-controls.js';
import { ScanBar } from './scan-bar.js';
import { useDecryption } from './use-decryption.js';
import { useExport } from './use-export.js';
import { useForgottenRows } from './use-forgotten-rows.js';
import { useGridRows } from './use-grid-rows.js';
import { useLiveTail } from './use-live-tail.js';
import { useMessageWindows } from './use-message-windows.js';
import { useScans } from './use-scans.js';

export { MAX_ROWS } from './use-grid-rows.js';

/**
 * The message browser: windows of rows (newest, oldest, from offset, from time, live tail) in a
 * virtualised grid, clear-part filters, budgeted scans with progress, decryption of the visible rows
 * only with the chosen profile, a detail pane, export of the loaded rows, and *Forget this person* (from a
 * record or a recipient search, through a signed-in admin service). Each concern is a hook of its own
 * (use-*.ts beside this file); this component wires them and lays out the page.
 */
export function MessagesPage(props: { topic: string; profile: string; service: ServiceState | null }) {
  const { topic, profile } = props;
  const gridRef = useRef<GridApi<MessageRow> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filters, setFilters] = useState<Filters>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [tail, setTail] = useState(false);

  const dec = useDecryption({ gridRef, topic, profile, onError: setError });
  const { decrypt, decrypted } = dec;
  const { departments, rowCount, addRows } = useGridRows({ gridRef, forget: dec.forget });
  const freshRows = useCallback(() => {
    dec.clear();
    setSelected(null);
  }, [dec.clear]);
  const win = useMessageWindows({
    gridRef,
    topic,
    profile,
    filters,
    addRows,
    // Called after this render, when `scans` (which needs the windows' takeOver) exists.
    events: { freshStart: () => scans.closeScan(), freshRows, loaded: dec.decryptVisibleLatest },
    onError: setError,
  });
  const { status, cursor, load } = win;
  const scans = useScans({ gridRef, topic, profile, filters, newestFirst: win.position.mode === 'newest', addRows, takeOver: win.takeOver, owns: win.owns, freshRows, onError: setError });
  const { scan, startScan, cancelScan } = scans;
  const { exportNote, exportRows } = useExport({ gridRef, topic, profile, decrypt, onError: setError });

  const columns = useMemo(() => messageColumns({ departments, decrypt, decrypted: () => decrypted.current }), [departments, decrypt, decrypted]);
  const { decryptVisible, onScroll } = dec;

  // ---- forget this person ----
  // The dialog keeps the service it was opened for: a session that changes meanwhile gets the service's own answer.
  const [forgetting, setForgetting] = useState<{ target: ForgetTarget; service: ConnectedService } | null>(null);
  const forgetReady = forgetAvailability(props.service);
  const forgotten = useForgottenRows({ gridRef, topic, profile, decrypting: decrypt, store: dec.store, onError: setError });
  const openForget = (target: ForgetTarget) => forgetReady.service && setForgetting({ target, service: forgetReady.service });
  const forget = { availability: forgetReady, onForget: openForget };
  const closeForget = useCallback(() => setForgetting(null), []);

  // ---- live tail ----
  const onTailRows = useCallback(
    (rows: MessageRow[]) => {
      addRows(rows, 'prepend');
      void decryptVisible();
    },
    [addRows, decryptVisible],
  );
  useLiveTail({ on: tail, topic, filters, profile, onRows: onTailRows, onError: setError });

  const filtered = hasFilters(filters);
  const selectedDecrypted = selected ? decrypted.current.get(selected) : undefined;
  void dec.version;

  return (
    <section className="page page-fill messages">
      <div className="toolbar" data-testid="messages-toolbar">
        <PositionControls value={win.position} onChange={win.setPosition} />
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
          <input type="checkbox" checked={decrypt} onChange={(e) => dec.setDecrypt(e.target.checked)} data-testid="decrypt-toggle" /> Decrypt visible rows
        </label>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={() => void exportRows('csv')} data-testid="export-csv">
          Export CSV
        </button>
        <button type="button" className="ghost" onClick={() => void exportRows('json')}>
          Export JSON
        </button>
      </div>
      <FiltersBar onApply={setFilters} busy={status.loading} forget={{ ...forget, onForget: (address) => openForget({ address, recipient: null }) }} />
      <OpenedFilterBar profile={profile} busy={scan?.state === 'running'} onSearch={(opened) => void startScan({ opened })} />
      <ErrorBanner error={error} onRetry={() => void load(false)} onDismiss={() => setError(null)} />
      {forgotten.note ? (
        <div className={`banner ${forgotten.note.ok ? 'banner-ok' : 'banner-warn'}`} data-testid="forgotten-note">
          <div className="banner-text">{forgotten.note.text}</div>
          <div className="banner-actions">
            <button type="button" className="ghost" onClick={forgotten.dismiss} aria-label="Dismiss">
              ✕
            </button>
          </div>
        </div>
      ) : null}
      {scan ? <ScanBar progress={scan} onCancel={() => void cancelScan()} onResume={() => void startScan({ resume: scan.scanId })} onClose={scans.closeScan} /> : null}
      {!scan && filtered && status.budgetSpent ? (
        <div className="banner banner-warn" data-testid="budget-banner">
          <div className="banner-text">
            Read {formatCount(status.scanned)} records and found {formatCount(rowCount)} matching. The rest of the topic was not read yet.
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
        <span data-testid="row-count">{formatCount(rowCount)} rows</span>
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
            onGridReady={win.onGridReady}
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
            forget={forget}
            onDecrypt={() => dec.decryptOne(selected)}
            onClose={() => setSelected(null)}
          />
        ) : null}
      </div>
      {forgetting ? (
        <ForgetDialog topic={topic} profile={profile} service={forgetting.service} target={forgetting.target} onForgotten={(a) => void forgotten.refresh(a)} onClose={closeForget} />
      ) : null}
    </section>
  );
}
