import { useCallback, useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import type { TopicSummary } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import type { Page } from '../app/app.js';

/** Every topic with partitions, replication and record counts; open one to browse or inspect it. */
export function TopicsPage(props: { onOpen(topic: string, page?: Page): void }) {
  const [topics, setTopics] = useState<TopicSummary[] | null>(null);
  const [internal, setInternal] = useState(false);
  const [quick, setQuick] = useState('');
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setTopics(await api.listTopics({ includeInternal: internal }));
    } catch (err) {
      setError(err);
    }
  }, [internal]);
  useEffect(() => void load(), [load]);

  const columns = useMemo<ColDef<TopicSummary>[]>(
    () => [
      { field: 'name', headerName: 'Topic', flex: 2, minWidth: 240, cellClass: 'mono' },
      { field: 'partitions', headerName: 'Partitions', width: 120, type: 'numericColumn' },
      { field: 'replicationFactor', headerName: 'Replication', width: 130, type: 'numericColumn' },
      { field: 'records', headerName: 'Records', width: 160, type: 'numericColumn', sort: 'desc', valueFormatter: (p) => formatCount(p.value ?? 0) },
      {
        headerName: '',
        width: 220,
        sortable: false,
        cellRenderer: (p: { data?: TopicSummary }) =>
          p.data ? (
            <span className="cell-actions">
              <button type="button" className="small" onClick={() => props.onOpen(p.data!.name, 'messages')}>
                Messages
              </button>
              <button type="button" className="small ghost" onClick={() => props.onOpen(p.data!.name, 'partitions')}>
                Partitions
              </button>
            </span>
          ) : null,
      },
    ],
    [props],
  );

  return (
    <section className="page page-fill">
      <div className="page-head">
        <h1>Topics</h1>
        <input className="search" placeholder="Filter topics…" value={quick} onChange={(e) => setQuick(e.target.value)} data-testid="topic-filter" />
        <label className="check">
          <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> internal topics
        </label>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} onRetry={() => void load()} />
      <div className="grid-box" data-testid="topics-grid">
        <AgGridReact<TopicSummary>
          theme={gridTheme}
          rowData={topics ?? []}
          columnDefs={columns}
          quickFilterText={quick}
          getRowId={(p) => p.data.name}
          loading={topics === null && !error}
          onRowDoubleClicked={(e) => e.data && props.onOpen(e.data.name)}
          overlayNoRowsTemplate="No topics on this cluster yet."
        />
      </div>
    </section>
  );
}
