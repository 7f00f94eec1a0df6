import { useCallback, useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import type { ConnectedService } from '../../../shared/console-api/service-types.js';
import type { SuppressionCountsResponse, SuppressionListResult, SuppressionRow } from '../../../shared/console-api/suppression-types.js';
import { api } from '../api/client.js';
import { ConfirmDialog } from '../backlog/confirm-dialog.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount, formatTime } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { ServiceSelect } from '../service/service-select.js';
import { CountsChart, reasonClass, REASON_ORDER } from './counts-chart.js';
import '../backlog/backlog.css';
import './suppressions.css';

function ReasonTags(p: ICellRendererParams<SuppressionRow>) {
  const reasons = p.data?.reasons ?? [];
  if (reasons.length === 0) return <span className="muted">lifted</span>;
  return (
    <span className="reason-tags">
      {reasons.map((r) => (
        <span key={r} className={`reason-tag ${reasonClass(r)}`}>
          {r}
        </span>
      ))}
    </span>
  );
}

function AddressCell(p: ICellRendererParams<SuppressionRow>) {
  const d = p.data;
  if (!d) return null;
  if (d.address) return <span className="mono" data-testid="suppression-address">{d.address}</span>;
  return (
    <span className="locked-address" title={d.lock?.message} data-testid="suppression-locked">
      locked · {d.lock?.code ?? 'unknown'}
    </span>
  );
}

/**
 * The suppression list of one service: counts by reason over time, search by address (hashed in main
 * with the viewing identity's key), the entries with their address opened only where that identity
 * opens a section, removal with a reason (admin) and export.
 */
export function SuppressionsPage(props: { services: ConnectedService[]; profile: string }) {
  const [picked, setPicked] = useState<string | null>(null);
  const current = props.services.find((s) => s.url === picked) ?? props.services[0]!;
  const service = current.url;
  const canRemove = current.session.permissions.includes('suppressions:remove');
  const [address, setAddress] = useState('');
  const [reason, setReason] = useState('');
  const [lifted, setLifted] = useState(false);
  const [list, setList] = useState<SuppressionListResult | null>(null);
  const [counts, setCounts] = useState<SuppressionCountsResponse | null>(null);
  const [removing, setRemoving] = useState<SuppressionRow | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (q: { address: string; reason: string; lifted: boolean }) => {
      setBusy(true);
      setError(null);
      try {
        const [l, c] = await Promise.all([
          api.listSuppressions({ service, profile: props.profile, active: !q.lifted, ...(q.address.trim() ? { address: q.address.trim() } : {}), ...(q.reason ? { reason: q.reason } : {}) }),
          api.suppressionCounts({ service, from: Date.now() - 5 * 365 * 86_400_000, bucket: 'day' }),
        ]);
        setList(l);
        setCounts(c);
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
    [service, props.profile],
  );
  // eslint-disable-next-line react-hooks/exhaustive-deps -- a new service or identity reloads with the search as typed
  useEffect(() => void load({ address, reason, lifted }), [load]);

  const exportAll = async () => {
    setError(null);
    try {
      const r = await api.exportSuppressions({ service, profile: props.profile });
      setNote(`${formatCount(r.rows)} entries exported to ${r.savedTo ?? r.fileName}`);
    } catch (err) {
      setError(err);
    }
  };

  const columns = useMemo<ColDef<SuppressionRow>[]>(
    () => [
      { headerName: 'Address', width: 230, cellRenderer: AddressCell },
      { headerName: 'Reasons', width: 340, cellRenderer: ReasonTags, tooltipValueGetter: (p) => p.data?.reasons.join(', ') },
      { field: 'since', headerName: 'Since (UTC)', width: 205, valueFormatter: (p) => (p.value ? formatTime(Date.parse(p.value)) : '—') },
      { field: 'group', headerName: 'Group', width: 80, valueFormatter: (p) => (p.value === null ? 'all mail' : String(p.value)) },
      { field: 'subject', headerName: 'Blind index', flex: 1, minWidth: 150, cellClass: 'mono small' },
      { field: 'updatedAt', headerName: 'Updated (UTC)', width: 205, sort: 'desc', valueFormatter: (p) => formatTime(Date.parse(p.value ?? '')) },
      {
        headerName: '',
        width: 105,
        cellRenderer: (p: ICellRendererParams<SuppressionRow>) =>
          p.data && p.data.reasons.length && canRemove ? (
            <button type="button" className="small danger-ghost" onClick={() => setRemoving(p.data!)} data-testid="suppression-remove">
              Remove…
            </button>
          ) : null,
      },
    ],
    [canRemove],
  );

  return (
    <section className="page page-fill suppressions" data-testid="suppressions-page">
      <div className="page-head">
        <h1>Suppressions</h1>
        <span className="muted small">who bounced, complained or unsubscribed; addresses open only where {list?.identity ?? 'this identity'} may read them</span>
      </div>
      <CountsChart counts={counts} />
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load({ address, reason, lifted });
        }}
      >
        <ServiceSelect services={props.services} value={service} onChange={setPicked} testId="suppression-service" label />
        <label className="wide">
          Address
          <input value={address} onChange={(e) => setAddress(e.target.value)} placeholder="someone@example.com" className="mono" data-testid="suppression-search" />
        </label>
        <label>
          Reason
          <select value={reason} onChange={(e) => setReason(e.target.value)} data-testid="suppression-reason">
            <option value="">any</option>
            {REASON_ORDER.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label className="narrow checkbox">
          <input type="checkbox" checked={lifted} onChange={(e) => setLifted(e.target.checked)} data-testid="suppression-lifted" /> include lifted
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary" disabled={busy} data-testid="suppression-search-go">
            Search
          </button>
          <button type="button" onClick={() => void exportAll()} data-testid="suppression-export">
            Export
          </button>
        </div>
      </form>
      <ErrorBanner error={error} onRetry={() => void load({ address, reason, lifted })} onDismiss={() => setError(null)} />
      <div className="status-line">
        <span data-testid="suppression-count">
          {list ? `${formatCount(list.entries.length)} shown of ${formatCount(list.total)} in the list${list.ready ? '' : ' (still loading from the topic)'}` : 'loading…'}
        </span>
        {note ? <span data-testid="suppression-note">{note}</span> : null}
      </div>
      <div className="grid-box" data-testid="suppression-grid">
        <AgGridReact<SuppressionRow>
          theme={gridTheme}
          rowData={list?.entries ?? []}
          columnDefs={columns}
          getRowId={(p) => p.data.key}
          loading={list === null}
          overlayNoRowsTemplate="Nobody on the list matches this search."
        />
      </div>
      {removing ? (
        <ConfirmDialog
          title="Remove from the suppression list"
          confirmLabel="Remove"
          danger
          reason={{ label: 'Why', required: true, placeholder: 'e.g. mailbox fixed, confirmed with the recipient' }}
          onClose={() => setRemoving(null)}
          onConfirm={async (why) => {
            await api.removeSuppression({ service, subject: removing.subject, ...(removing.group !== null ? { group: removing.group } : {}), reason: why });
            setNote(`${removing.address ?? removing.subject} removed (${removing.reasons.join(', ')}): mail may be sent again`);
            await load({ address, reason, lifted });
          }}
        >
          <p>
            {removing.address ?? <span className="mono">{removing.subject}</span>} stops being suppressed for {removing.reasons.join(', ')}
            {removing.group !== null ? ` (group ${removing.group})` : ''}. Every instance lifts it; a later bounce or complaint puts it back.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
