import { useCallback, useEffect, useMemo, useState } from 'react';
import type { HistoryResponse, ServiceState, StatusResponse } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatTime } from '../common/format.js';
import { can } from '../service/use-service-state.js';
import { BacklogEntries } from './backlog-entries.js';
import { DeadLettersPanel } from './dead-letters-panel.js';
import { DrainPanel } from './drain-panel.js';
import { HealthCards } from './health-cards.js';
import { RateChart } from './rate-chart.js';
import { ReplayPanel } from './replay-panel.js';
import { seriesFrom } from './series.js';
import { SourcesGrid } from './sources-grid.js';
import './backlog.css';

const STATUS_MS = 2_000;
const STATUS_FAST_MS = 1_000;
const HISTORY_MS = 5_000;

/**
 * What is stuck and how to move it: live counts (polled every 2 s, every second while draining),
 * rates and backlog over the last hour, drain, pause/resume, dead letters and replays. Every action
 * is the service's own admin call, audited there under the signed-in identity.
 */
export function BacklogPage(props: { service: ServiceState }) {
  const [status, setStatus] = useState<StatusResponse | null>(null);
  const [history, setHistory] = useState<HistoryResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [draining, setDraining] = useState(false);
  const [chartSource, setChartSource] = useState('all');
  const svc = props.service;

  const loadStatus = useCallback(async () => {
    try {
      setStatus(await api.serviceStatus());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);
  const loadHistory = useCallback(async () => {
    try {
      setHistory(await api.serviceHistory());
    } catch {
      /* the status poll reports connection problems */
    }
  }, []);
  useEffect(() => {
    void loadStatus();
    const t = setInterval(() => void loadStatus(), draining ? STATUS_FAST_MS : STATUS_MS);
    return () => clearInterval(t);
  }, [loadStatus, draining]);
  useEffect(() => {
    void loadHistory();
    const t = setInterval(() => void loadHistory(), HISTORY_MS);
    return () => clearInterval(t);
  }, [loadHistory]);

  const points = useMemo(() => (history ? seriesFrom(history, chartSource === 'all' ? null : chartSource) : []), [history, chartSource]);
  // The backlog line ends at the live count (polled every 2 s), not at the last 5-second sample.
  const backlogPoints = useMemo(() => {
    const last = points[points.length - 1];
    if (!status || (last && last.at >= status.now)) return points;
    const live = chartSource === 'all' ? status.journal.pendingTotal : (status.sources.find((s) => s.id === chartSource)?.pending ?? 0);
    return [...points, { at: status.now, accept: 0, forward: 0, pending: live }];
  }, [points, status, chartSource]);
  const onError = useCallback((err: unknown) => setError(err), []);
  const refresh = useCallback(() => void loadStatus(), [loadStatus]);

  return (
    <section className="page page-scroll backlog" data-testid="backlog-page">
      <div className="page-head">
        <h1>Backlog</h1>
        <span className="chip mono">{svc.connected?.session.serverId ?? svc.connected?.url}</span>
        <span className={`live-dot ${error ? 'stale' : ''}`} data-testid="backlog-updated">
          {status ? `${error ? 'stale' : 'live'} · updated ${formatTime(status.now).slice(11, 19)}Z` : 'loading…'}
        </span>
        <span className="spacer" />
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} onRetry={refresh} />
      {status ? (
        <>
          <HealthCards status={status} />
          <DrainPanel status={status} allowed={can(svc, 'backlog:drain')} onRunning={setDraining} onDone={refresh} />
          <h2>Sources</h2>
          <SourcesGrid sources={status.sources} canPause={can(svc, 'sources:pause')} onChanged={refresh} onError={onError} />
          {can(svc, 'backlog:read') && status.journal.pendingTotal > 0 ? <BacklogEntries pending={status.journal.pendingTotal} now={status.now} /> : null}
          <div className="page-head">
            <h2>Last hour</h2>
            <select value={chartSource} onChange={(e) => setChartSource(e.target.value)} data-testid="chart-source">
              <option value="all">all sources</option>
              {status.sources.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id}
                </option>
              ))}
            </select>
          </div>
          <div className="charts">
            <RateChart
              title="Events per second"
              testId="rate-chart"
              unit="ev/s"
              points={points}
              lines={[
                { key: 'accept', label: 'accepted', className: 'series-accept' },
                { key: 'forward', label: 'forwarded', className: 'series-forward' },
              ]}
            />
            <RateChart title="Backlog" testId="backlog-chart" unit="entries" points={backlogPoints} lines={[{ key: 'pending', label: 'pending entries', className: 'series-pending' }]} />
          </div>
          <DeadLettersPanel canRedrive={can(svc, 'dead-letters:redrive')} canDiscard={can(svc, 'dead-letters:discard')} openCount={status.deadLetters.open} onChanged={refresh} />
          <ReplayPanel topics={[...new Set(status.sources.map((s) => s.topic))]} canRun={can(svc, 'replay:run')} canRead={can(svc, 'replay:read')} />
        </>
      ) : null}
    </section>
  );
}
