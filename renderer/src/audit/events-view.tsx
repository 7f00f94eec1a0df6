import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import type { EventHit } from '../../../shared/console-api/service-types.js';
import type { DecryptedRow } from '../../../shared/console-api/types.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount, formatTime } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { EVENTS_PAGE, eventKey, NO_EVENT_FILTERS, useEventsQuery, type EventFilters } from './use-events-query.js';

const COLUMN_FIELDS = new Set(['id', 'type', 'time']);
const scalar = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
const clearText = (e: EventHit): string =>
  Object.entries((e.envelope['clear'] ?? {}) as Record<string, unknown>)
    .filter(([k]) => !COLUMN_FIELDS.has(k))
    .map(([k, v]) => `${k}=${scalar(v)}`)
    .join(' · ');
const sectionsOf = (e: EventHit): string[] => Object.keys((e.envelope['sections'] ?? {}) as Record<string, string>).sort();
/** Opened fields per department, or why a section stays locked. */
function openedText(row: DecryptedRow | undefined): string {
  if (!row) return '';
  return Object.entries(row.sections)
    .map(([dept, s]) => (s.state === 'open' ? `${dept}: ${Object.entries(s.fields).map(([k, v]) => `${k}=${scalar(v)}`).join(', ')}` : `${dept}: locked (${s.code})`))
    .join(' | ');
}

/**
 * One `events` source's events, as the service's index finds them: by type, time range, clear field values,
 * subject (the service turns it into the blind index) and keyword over the clear part, newest first, a page
 * at a time. "Open sections" opens what the found events carry with the identity chosen in the top bar.
 */
export function EventsView(props: { service: string; source: string; profile: string; picker: ReactNode }) {
  const q = useEventsQuery(props.service, props.source, props.profile);
  const [filters, setFilters] = useState<EventFilters>(NO_EVENT_FILTERS);
  const set = <K extends keyof EventFilters>(k: K, v: EventFilters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the first load lists the newest events of the source
  useEffect(() => void q.search(NO_EVENT_FILTERS), [q.search]);

  const columns = useMemo<ColDef<EventHit>[]>(
    () => [
      { field: 'time', headerName: 'Time (UTC)', width: 200, valueFormatter: (p) => formatTime(Date.parse(p.value ?? '')) },
      { field: 'type', headerName: 'Type', width: 180, cellClass: 'type' },
      { headerName: 'Clear fields', width: 300, valueGetter: (p) => (p.data ? clearText(p.data) : ''), cellClass: 'mono small', tooltipValueGetter: (p) => (p.data ? clearText(p.data) : '') },
      { field: 'subject', headerName: 'Subject (blind index)', width: 150, cellClass: 'mono small', valueFormatter: (p) => (p.value ? `${String(p.value).slice(0, 10)}…` : '') },
      { headerName: 'Sealed', width: 130, valueGetter: (p) => (p.data ? sectionsOf(p.data).join(', ') : ''), cellClass: 'small' },
      {
        headerName: `Opened as ${props.profile}`,
        flex: 1,
        minWidth: 280,
        valueGetter: (p) => (p.data ? openedText(q.opened.get(eventKey(p.data))) : ''),
        cellClass: 'mono small',
        wrapText: true,
        autoHeight: true,
      },
    ],
    [props.profile, q.opened],
  );
  const idx = q.index;

  return (
    <>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void q.search(filters);
        }}
      >
        {props.picker}
        <label>
          Type
          <input value={filters.type} onChange={(e) => set('type', e.target.value)} placeholder="account.created" data-testid="events-type" />
        </label>
        <label className="time">
          From (UTC)
          <input type="datetime-local" step={1} value={filters.from} onChange={(e) => set('from', e.target.value)} data-testid="events-from" />
        </label>
        <label className="time">
          To (UTC)
          <input type="datetime-local" step={1} value={filters.to} onChange={(e) => set('to', e.target.value)} data-testid="events-to" />
        </label>
        <label className="wide">
          Clear fields (field=value, …)
          <input value={filters.fields} onChange={(e) => set('fields', e.target.value)} className="mono" placeholder="outcome=denied" data-testid="events-fields" />
        </label>
        <label className="wide">
          Subject (exact value; sent to the service only)
          <input value={filters.subject} onChange={(e) => set('subject', e.target.value)} autoComplete="off" placeholder="bob@example.com" data-testid="events-subject" />
        </label>
        <label>
          Keyword (clear part)
          <input value={filters.keyword} onChange={(e) => set('keyword', e.target.value)} data-testid="events-keyword" />
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary" disabled={q.busy} data-testid="events-search">
            Search
          </button>
          <button
            type="button"
            onClick={() => {
              setFilters(NO_EVENT_FILTERS);
              void q.search(NO_EVENT_FILTERS);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorBanner error={q.error} onRetry={() => void q.search(filters)} onDismiss={() => q.setError(null)} />
      <div className="status-line">
        <span data-testid="events-count">{q.rows ? `${formatCount(q.rows.length)} event${q.rows.length === 1 ? '' : 's'}` : 'loading…'}</span>
        {q.next ? (
          <button type="button" className="small" disabled={q.busy} onClick={() => void q.search(filters, q.next!)} data-testid="events-more">
            Load {EVENTS_PAGE} more
          </button>
        ) : q.rows && q.rows.length ? (
          <span>end of the events for these filters</span>
        ) : null}
        <button type="button" className="small" disabled={q.busy || !q.rows?.length} onClick={() => void q.openAll()} data-testid="events-open">
          Open sections as {props.profile}
        </button>
        {idx ? (
          <span className={idx.running && !idx.yielding ? 'muted small' : 'small chip-warn'} data-testid="events-index">
            {!idx.running
              ? `index not reading${idx.lastError ? `: ${idx.lastError.message}` : ''}`
              : idx.yielding
                ? 'index catching up after a burst'
                : `index current${idx.lastIndexedAt ? ` (last event ${formatTime(idx.lastIndexedAt)})` : ''}`}
            {` · kept ${idx.retentionDays} days`}
          </span>
        ) : null}
      </div>
      <div className="grid-box" data-testid="events-grid">
        <AgGridReact<EventHit>
          theme={gridTheme}
          rowData={q.rows ?? []}
          columnDefs={columns}
          getRowId={(p) => eventKey(p.data)}
          loading={q.rows === null}
          overlayNoRowsTemplate="No events match these filters."
        />
      </div>
    </>
  );
}
