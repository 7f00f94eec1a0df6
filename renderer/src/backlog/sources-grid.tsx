import { useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import type { SourceStatus } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { formatCount, formatTime } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { formatAge, formatRate } from './series.js';

/** Live counts per source, with pause (asks for a reason, audited) and resume. */
export function SourcesGrid(props: { service: string; sources: SourceStatus[]; canPause: boolean; onChanged(): void; onError(err: unknown): void }) {
  const [pausing, setPausing] = useState<string | null>(null);
  const { service, canPause, onChanged, onError } = props;
  const columns = useMemo<ColDef<SourceStatus>[]>(
    () => [
      { field: 'id', headerName: 'Source', width: 180, cellClass: (p) => (p.data?.internal ? 'mono muted-cell' : 'mono'), tooltipValueGetter: (p) => (p.data?.internal ? 'the service\'s own audit trail' : undefined) },
      { field: 'kind', headerName: 'Kind', width: 85 },
      { field: 'topic', headerName: 'Topic', flex: 1, minWidth: 160, cellClass: 'mono' },
      { field: 'pending', headerName: 'Pending', width: 95, type: 'numericColumn', valueFormatter: (p) => formatCount(p.value ?? 0), cellClass: (p) => ((p.value ?? 0) > 0 ? 'cell-warn' : '') },
      { field: 'oldestPendingAgeSeconds', headerName: 'Oldest', width: 95, type: 'numericColumn', valueFormatter: (p) => formatAge(p.value) },
      { field: 'acceptRate', headerName: 'Accept/s', width: 90, type: 'numericColumn', valueFormatter: (p) => formatRate(p.value ?? 0) },
      { field: 'forwardRate', headerName: 'Forward/s', width: 95, type: 'numericColumn', valueFormatter: (p) => formatRate(p.value ?? 0) },
      { field: 'accepted', headerName: 'Accepted', width: 100, type: 'numericColumn', valueFormatter: (p) => formatCount(p.value ?? 0) },
      { field: 'forwarded', headerName: 'Forwarded', width: 100, type: 'numericColumn', valueFormatter: (p) => formatCount(p.value ?? 0) },
      {
        headerName: 'Forwarding',
        width: 190,
        sortable: false,
        cellRenderer: (p: { data?: SourceStatus }) => {
          const s = p.data;
          if (!s) return null;
          return (
            <span className="cell-actions">
              {s.paused ? (
                <>
                  <span className="cell-warn" title={`${s.paused.reason ?? 'no reason given'} — by ${s.paused.by ?? 'unknown'} at ${formatTime(s.paused.since)}`}>
                    paused
                  </span>
                  <button
                    type="button"
                    className="small"
                    disabled={!canPause}
                    data-testid={`resume-${s.id}`}
                    onClick={() =>
                      void api
                        .resumeSource({ service, source: s.id })
                        .then(onChanged)
                        .catch(onError)
                    }
                  >
                    Resume
                  </button>
                </>
              ) : (
                <>
                  <span className="ok">running</span>
                  <button type="button" className="small" disabled={!canPause} onClick={() => setPausing(s.id)} data-testid={`pause-${s.id}`}>
                    Pause
                  </button>
                </>
              )}
            </span>
          );
        },
      },
    ],
    [service, canPause, onChanged, onError],
  );
  return (
    <>
      <div className="grid-box grid-auto" data-testid="sources-grid">
        <AgGridReact<SourceStatus> theme={gridTheme} rowData={props.sources} columnDefs={columns} domLayout="autoHeight" getRowId={(p) => p.data.id} />
      </div>
      {pausing ? (
        <ConfirmDialog
          title={`Pause forwarding of ${pausing}?`}
          confirmLabel="Pause"
          reason={{ label: 'Why', required: false, placeholder: 'e.g. downstream consumer migration' }}
          onConfirm={async (reason) => {
            await api.pauseSource({ service, source: pausing, ...(reason ? { reason } : {}) });
            onChanged();
          }}
          onClose={() => setPausing(null)}
        >
          <p>The service keeps accepting events from this source into its journal; nothing reaches Kafka until you resume. The backlog and its age stay visible here.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
