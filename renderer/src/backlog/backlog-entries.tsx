import { useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import type { BacklogResponse } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { formatBytes, formatCount, formatTime } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { formatAge } from './series.js';

type Entry = BacklogResponse['entries'][number];

/** The oldest journal entries still waiting for Kafka (clear facts only: sequence, source, size, age). */
export function BacklogEntries(props: { service: string; pending: number; now: number }) {
  const [backlog, setBacklog] = useState<BacklogResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { service, pending, now } = props;
  // Reloaded whenever the live pending count moves.
  useEffect(() => {
    let live = true;
    api.listBacklog({ service, limit: 10 }).then(
      (b) => live && (setBacklog(b), setError(null)),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [service, pending]);
  const columns = useMemo<ColDef<Entry>[]>(
    () => [
      { field: 'seq', headerName: 'Journal seq', width: 130, type: 'numericColumn' },
      { field: 'source', headerName: 'Source', width: 160, cellClass: 'mono' },
      { field: 'kind', headerName: 'Kind', width: 100 },
      { field: 'size', headerName: 'Size', width: 110, type: 'numericColumn', valueFormatter: (p) => formatBytes(p.value ?? 0) },
      { field: 'receivedAt', headerName: 'Received', width: 220, valueFormatter: (p) => formatTime(p.value) },
      { headerName: 'Waiting', width: 130, valueGetter: (p) => (p.data ? formatAge((now - p.data.receivedAt) / 1000) : '') },
      { field: 'redriveOf', headerName: 'Re-drive of', flex: 1, minWidth: 120, valueFormatter: (p) => (p.value === null || p.value === undefined ? '' : `dead letter ${p.value}`) },
    ],
    [now],
  );
  if (error) return <p className="muted small">Oldest entries not shown: {error}</p>;
  if (!backlog || backlog.entries.length === 0) return null;
  return (
    <div className="panel" data-testid="backlog-entries">
      <h2>
        Oldest waiting entries <span className="hint">{formatCount(Math.min(backlog.entries.length, backlog.pendingTotal))} of {formatCount(backlog.pendingTotal)}, oldest first</span>
      </h2>
      <div className="grid-box grid-auto">
        <AgGridReact<Entry> theme={gridTheme} rowData={backlog.entries} columnDefs={columns} domLayout="autoHeight" getRowId={(p) => String(p.data.seq)} />
      </div>
    </div>
  );
}
