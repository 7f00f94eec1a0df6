import { useCallback, useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import type { DeadLetterView } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatBytes, formatTime } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { ConfirmDialog } from './confirm-dialog.js';

type State = 'open' | 'redriven' | 'discarded';

/**
 * Dead letters as the journal keeps them (clear facts only: ids, source, reason, size, times): re-drive
 * after a fix, or discard for good with a typed reason behind a confirmation.
 */
export function DeadLettersPanel(props: { service: string; canRedrive: boolean; canDiscard: boolean; openCount: number; onChanged(): void }) {
  const [state, setState] = useState<State>('open');
  const [rows, setRows] = useState<DeadLetterView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<DeadLetterView | null>(null);
  const { service, canRedrive, canDiscard, onChanged, openCount } = props;

  const load = useCallback(async () => {
    try {
      setRows(await api.listDeadLetters({ service, state, limit: 200 }));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [service, state]);
  // Reload when the filter changes and when the service's open count moves.
  useEffect(() => void load(), [load, openCount]);

  const redrive = useCallback(
    async (d: DeadLetterView) => {
      setNotice(null);
      try {
        const r = await api.redriveDeadLetter({ service, id: d.id });
        setNotice(`Dead letter ${d.id} re-driven as journal entry ${r.seq}.`);
        onChanged();
        await load();
      } catch (err) {
        setError(err);
      }
    },
    [service, load, onChanged],
  );

  const columns = useMemo<ColDef<DeadLetterView>[]>(
    () => [
      { field: 'id', headerName: 'Id', width: 80, type: 'numericColumn' },
      { field: 'source', headerName: 'Source', width: 130, cellClass: 'mono' },
      { field: 'reason', headerName: 'Reason', width: 160, cellClass: 'cell-warn' },
      { field: 'size', headerName: 'Size', width: 100, type: 'numericColumn', valueFormatter: (p) => formatBytes(p.value ?? 0) },
      { field: 'eventIndex', headerName: 'Event #', width: 95, type: 'numericColumn', valueFormatter: (p) => (p.value === null || p.value === undefined ? 'whole' : String(p.value)) },
      { field: 'receivedAt', headerName: 'Received', width: 210, valueFormatter: (p) => formatTime(p.value) },
      { field: 'state', headerName: 'State', width: 105 },
      { field: 'resolution', headerName: 'Resolution', flex: 1, minWidth: 160, valueFormatter: (p) => (p.data?.resolvedBy ? `${p.value ?? ''} (${p.data.resolvedBy})` : (p.value ?? '')) },
      {
        headerName: '',
        width: 190,
        sortable: false,
        cellRenderer: (p: { data?: DeadLetterView }) =>
          p.data?.state === 'open' ? (
            <span className="cell-actions">
              <button type="button" className="small" disabled={!canRedrive} onClick={() => void redrive(p.data!)} data-testid={`redrive-${p.data.id}`}>
                Re-drive
              </button>
              <button type="button" className="small danger-ghost" disabled={!canDiscard} onClick={() => setDiscarding(p.data!)} data-testid={`discard-${p.data.id}`} title={canDiscard ? 'Discard for good' : 'Only the admin role may discard'}>
                Discard…
              </button>
            </span>
          ) : null,
      },
    ],
    [canRedrive, canDiscard, redrive],
  );

  return (
    <div className="panel" data-testid="dead-letters">
      <div className="page-head">
        <h2>Dead letters</h2>
        <select value={state} onChange={(e) => setState(e.target.value as State)} data-testid="dead-letter-state">
          <option value="open">open</option>
          <option value="redriven">re-driven</option>
          <option value="discarded">discarded</option>
        </select>
        <span className="spacer" />
        <button type="button" className="small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {notice ? <div className="banner banner-ok">{notice}</div> : null}
      <ErrorBanner error={error} onRetry={() => void load()} onDismiss={() => setError(null)} />
      {rows && rows.length === 0 ? (
        <p className="muted">No {state} dead letters.</p>
      ) : (
        <div className="grid-box grid-auto" data-testid="dead-letters-grid">
          <AgGridReact<DeadLetterView> theme={gridTheme} rowData={rows ?? []} columnDefs={columns} domLayout="autoHeight" getRowId={(p) => String(p.data.id)} loading={rows === null && !error} />
        </div>
      )}
      {discarding ? (
        <ConfirmDialog
          title={`Discard dead letter ${discarding.id} for good?`}
          confirmLabel="Discard"
          danger
          reason={{ label: 'Reason', required: true, placeholder: 'e.g. the sender confirmed it was a test payload' }}
          onConfirm={async (reason) => {
            await api.discardDeadLetter({ service, id: discarding.id, reason });
            setNotice(`Dead letter ${discarding.id} discarded.`);
            onChanged();
            await load();
          }}
          onClose={() => setDiscarding(null)}
        >
          <p>
            {discarding.source} · {discarding.reason} · {formatBytes(discarding.size)} · received {formatTime(discarding.receivedAt)}
          </p>
          <p>It will never be forwarded. A tombstone stays in the journal, and the discard with your reason goes to the audit trail.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
