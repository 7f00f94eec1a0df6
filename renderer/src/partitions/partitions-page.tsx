import { useCallback, useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import type { GroupLag, PartitionInfo } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';
import { gridTheme } from '../common/grid-theme.js';
import { OffsetResetPanel } from '../groups/offset-reset-panel.js';
import { SkewChart } from './skew-chart.js';

type PartitionRow = PartitionInfo & { committed: string | null; lag: number | null };

/** Partitions of one topic (leader, replicas, ISR, watermarks) and consumer groups with lag per partition. */
export function PartitionsPage(props: { topic: string }) {
  const [partitions, setPartitions] = useState<PartitionInfo[] | null>(null);
  const [groups, setGroups] = useState<GroupLag[] | null>(null);
  const [groupId, setGroupId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [p, g] = await Promise.all([api.topicPartitions({ topic: props.topic }), api.groupLag({ topic: props.topic })]);
      setPartitions(p.partitions);
      setGroups(g);
      setGroupId((cur) => cur ?? g[0]?.groupId ?? null);
    } catch (err) {
      setError(err);
    }
  }, [props.topic]);
  useEffect(() => void load(), [load]);

  const group = groups?.find((g) => g.groupId === groupId) ?? null;
  // One row per partition with the chosen group's committed offset and lag merged in.
  const rows = useMemo<PartitionRow[]>(() => {
    const lagOf = new Map(group?.partitions.map((p) => [p.partition, p]) ?? []);
    return (partitions ?? []).map((p) => ({ ...p, committed: lagOf.get(p.partition)?.committed ?? null, lag: lagOf.get(p.partition)?.lag ?? null }));
  }, [partitions, group]);

  const columns = useMemo<ColDef<PartitionRow>[]>(
    () => [
      { field: 'partition', headerName: 'Partition', width: 110, type: 'numericColumn' },
      { field: 'leader', headerName: 'Leader', width: 100, type: 'numericColumn' },
      { headerName: 'Replicas', width: 130, valueGetter: (p) => p.data?.replicas.join(', ') },
      {
        headerName: 'ISR',
        width: 130,
        valueGetter: (p) => p.data?.isr.join(', '),
        cellClass: (p) => (p.data?.underReplicated ? 'cell-bad' : ''),
      },
      { field: 'low', headerName: 'Low watermark', width: 150, type: 'numericColumn', cellClass: 'mono' },
      { field: 'high', headerName: 'High watermark', width: 150, type: 'numericColumn', cellClass: 'mono' },
      { field: 'records', headerName: 'Records', width: 130, type: 'numericColumn', valueFormatter: (p) => formatCount(p.value ?? 0) },
      { field: 'committed', headerName: 'Committed', width: 140, type: 'numericColumn', cellClass: 'mono', valueFormatter: (p) => p.value ?? '—' },
      {
        field: 'lag',
        headerName: 'Lag',
        width: 120,
        type: 'numericColumn',
        valueFormatter: (p) => (p.value === null || p.value === undefined ? '—' : formatCount(p.value)),
        cellClass: (p) => ((p.value ?? 0) > 0 ? 'cell-warn' : ''),
      },
    ],
    [],
  );

  return (
    <section className="page page-scroll">
      <div className="page-head">
        <h1>Partitions of {props.topic}</h1>
        <span className="spacer" />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} onRetry={() => void load()} />
      <div className="grid-box grid-auto" data-testid="partitions-grid">
        <AgGridReact<PartitionRow> theme={gridTheme} rowData={rows} columnDefs={columns} domLayout="autoHeight" getRowId={(p) => String(p.data.partition)} loading={partitions === null && !error} />
      </div>
      <div className="split">
        <div className="panel">
          <h2>Consumer groups</h2>
          {groups && groups.length === 0 ? <p className="muted">No consumer group has committed offsets on this topic.</p> : null}
          <ul className="group-list" data-testid="group-list">
            {(groups ?? []).map((g) => (
              <li key={g.groupId}>
                <button type="button" className={`group-item${g.groupId === groupId ? ' active' : ''}`} onClick={() => setGroupId(g.groupId)}>
                  <span className="mono">{g.groupId}</span>
                  <span className="muted">
                    {g.state} · {g.members} member{g.members === 1 ? '' : 's'}
                  </span>
                  <span className={g.totalLag > 0 ? 'lag-bad' : 'lag-ok'}>lag {formatCount(g.totalLag)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="panel panel-grow">
          <h2>Size and lag per partition</h2>
          {partitions ? <SkewChart partitions={partitions} group={group} /> : null}
        </div>
      </div>
      {group && partitions ? <OffsetResetPanel topic={props.topic} groupId={group.groupId} partitions={partitions.map((p) => p.partition)} onApplied={() => void load()} /> : null}
    </section>
  );
}
