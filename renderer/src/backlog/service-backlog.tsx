import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FleetMember, HistoryResponse, ServiceState } from '../../../shared/console-api/service-types.js';
import { api, ConsoleError } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { can } from '../service/use-service-state.js';
import { BacklogEntries } from './backlog-entries.js';
import { DeadLettersPanel } from './dead-letters-panel.js';
import { DrainPanel } from './drain-panel.js';
import { HealthCards } from './health-cards.js';
import { RateChart } from './rate-chart.js';
import { ReplayPanel } from './replay-panel.js';
import { seriesFrom } from './series.js';
import { SourcesGrid } from './sources-grid.js';

const HISTORY_MS = 5_000;

/**
 * One service of the fleet in detail: its health, drain, sources with pause/resume, oldest entries,
 * the last hour, dead letters and replays. Every action goes to this service only, audited there
 * under the identity signed in to it. Its status comes from the page's fleet poll.
 */
export function ServiceBacklog(props: { member: FleetMember; service: ServiceState; onDraining(running: boolean): void; onChanged(): void; onError(err: unknown): void }) {
  const { member, onChanged, onError } = props;
  const url = member.service;
  const status = member.status;
  const [history, setHistory] = useState<HistoryResponse | null>(null);
  const [chartSource, setChartSource] = useState('all');
  const allowed = (p: Parameters<typeof can>[2]) => can(props.service, url, p);

  const loadHistory = useCallback(async () => {
    try {
      setHistory(await api.serviceHistory({ service: url }));
    } catch {
      /* the fleet poll reports connection problems */
    }
  }, [url]);
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

  return (
    <div className="service-backlog" data-testid="service-backlog" data-service={url}>
      <div className="page-head">
        <h2>
          Service <span className="mono">{member.label}</span>
        </h2>
        {member.label !== url ? <span className="muted small mono">{url}</span> : null}
      </div>
      {!status ? (
        <ErrorBanner error={new ConsoleError({ code: member.error?.code ?? 'SP_ADMIN_CLIENT_UNREACHABLE', message: member.error?.message ?? 'The service did not answer.', retriable: true })} onRetry={onChanged} />
      ) : (
        <>
          <HealthCards status={status} />
          <DrainPanel service={url} status={status} allowed={allowed('backlog:drain')} onRunning={props.onDraining} onDone={onChanged} />
          <h2>Sources</h2>
          <SourcesGrid service={url} sources={status.sources} canPause={allowed('sources:pause')} onChanged={onChanged} onError={onError} />
          {allowed('backlog:read') && status.journal.pendingTotal > 0 ? <BacklogEntries service={url} pending={status.journal.pendingTotal} now={status.now} /> : null}
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
          <DeadLettersPanel service={url} canRedrive={allowed('dead-letters:redrive')} canDiscard={allowed('dead-letters:discard')} openCount={status.deadLetters.open} onChanged={onChanged} />
          <ReplayPanel service={url} topics={[...new Set(status.sources.map((s) => s.topic))]} canRun={allowed('replay:run')} canRead={allowed('replay:read')} />
        </>
      )}
    </div>
  );
}
