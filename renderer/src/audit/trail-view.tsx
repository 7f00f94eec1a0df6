import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { AuditEventView } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount, formatTime, parseUtcInput } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import '../backlog/backlog.css';

const ACTIONS = ['login', 'drain', 'pause', 'resume', 'redrive', 'discard', 'replay', 'replay-cancel', 'forget', 'decrypt', 'export'];
const PAGE = 200;

interface Filters {
  actor: string;
  action: string;
  target: string;
  outcome: '' | 'success' | 'failure' | 'denied';
  from: string;
  to: string;
  keyword: string;
}
const EMPTY: Filters = { actor: '', action: '', target: '', outcome: '', from: '', to: '', keyword: '' };

function toQuery(service: string, f: Filters, cursor?: string): ArgsIn<'audit:query'> {
  const from = parseUtcInput(f.from);
  const to = parseUtcInput(f.to);
  return {
    service,
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(f.target.trim() ? { target: f.target.trim() } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(f.keyword.trim() ? { keyword: f.keyword.trim() } : {}),
    limit: PAGE,
    ...(cursor ? { cursor } : {}),
  };
}

const actorText = (a: AuditEventView['actor']): string => (a.kind === 'local' ? 'local admin token' : a.role ? `${a.role} @ ${a.account ?? '?'}` : a.arn);
const detailsText = (d: Record<string, unknown>): string =>
  Object.entries(d)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');

/**
 * Who did what: one service's audit trail (admin actions, refusals, the console's decryptions and
 * exports), queried by actor, action, target, outcome, time range and keyword, newest first.
 */
export function TrailView(props: { service: string; picker: ReactNode }) {
  const { service } = props;
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [rows, setRows] = useState<AuditEventView[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));

  const search = useCallback(async (f: Filters, cursor?: string) => {
    setBusy(true);
    setError(null);
    try {
      const page = await api.queryAudit(toQuery(service, f, cursor));
      setRows((r) => (cursor ? [...(r ?? []), ...page.events] : page.events));
      setNext(page.next);
    } catch (err) {
      setError(err);
      if (!cursor) setRows([]);
    } finally {
      setBusy(false);
    }
  }, [service]);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- a new service (or the first load) starts a new search with the filters as typed
  useEffect(() => void search(filters), [search]);

  const columns = useMemo<ColDef<AuditEventView>[]>(
    () => [
      { field: 'time', headerName: 'Time (UTC)', width: 210, sort: 'desc', valueFormatter: (p) => formatTime(Date.parse(p.value ?? '')) },
      { field: 'action', headerName: 'Action', width: 130, cellClass: 'type' },
      {
        field: 'outcome',
        headerName: 'Outcome',
        width: 110,
        cellClass: (p) => (p.value === 'success' ? 'type-ok' : p.value === 'denied' ? 'type-warn' : 'type-bad'),
      },
      { headerName: 'Actor', width: 230, valueGetter: (p) => (p.data ? actorText(p.data.actor) : ''), tooltipValueGetter: (p) => p.data?.actor.arn },
      { field: 'target', headerName: 'Target', width: 260, cellClass: 'mono' },
      { headerName: 'Details', flex: 1, minWidth: 260, valueGetter: (p) => (p.data ? detailsText(p.data.details) : ''), cellClass: 'mono small', wrapText: true, autoHeight: true },
    ],
    [],
  );

  return (
    <>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void search(filters);
        }}
      >
        {props.picker}
        <label className="wide">
          Actor (exact ARN)
          <input value={filters.actor} onChange={(e) => set('actor', e.target.value)} className="mono" data-testid="audit-actor" />
        </label>
        <label>
          Action
          <input list="audit-actions" value={filters.action} onChange={(e) => set('action', e.target.value)} data-testid="audit-action" />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          Target
          <input value={filters.target} onChange={(e) => set('target', e.target.value)} className="mono" placeholder="dead-letter/*" data-testid="audit-target" />
        </label>
        <label className="narrow">
          Outcome
          <select value={filters.outcome} onChange={(e) => set('outcome', e.target.value as Filters['outcome'])} data-testid="audit-outcome">
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <label className="time">
          From (UTC)
          <input type="datetime-local" step={1} value={filters.from} onChange={(e) => set('from', e.target.value)} data-testid="audit-from" />
        </label>
        <label className="time">
          To (UTC)
          <input type="datetime-local" step={1} value={filters.to} onChange={(e) => set('to', e.target.value)} data-testid="audit-to" />
        </label>
        <label>
          Keyword
          <input value={filters.keyword} onChange={(e) => set('keyword', e.target.value)} data-testid="audit-keyword" />
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary" disabled={busy} data-testid="audit-search">
            Search
          </button>
          <button
            type="button"
            onClick={() => {
              setFilters(EMPTY);
              void search(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorBanner error={error} onRetry={() => void search(filters)} onDismiss={() => setError(null)} />
      <div className="status-line">
        <span data-testid="audit-count">{rows ? `${formatCount(rows.length)} event${rows.length === 1 ? '' : 's'}` : 'loading…'}</span>
        {next ? (
          <button type="button" className="small" disabled={busy} onClick={() => void search(filters, next)} data-testid="audit-more">
            Load {PAGE} more
          </button>
        ) : rows && rows.length ? (
          <span>end of the trail for these filters</span>
        ) : null}
      </div>
      <div className="grid-box" data-testid="audit-grid">
        <AgGridReact<AuditEventView>
          theme={gridTheme}
          rowData={rows ?? []}
          columnDefs={columns}
          getRowId={(p) => p.data.id}
          loading={rows === null}
          overlayNoRowsTemplate="No audit events match these filters."
        />
      </div>
    </>
  );
}
