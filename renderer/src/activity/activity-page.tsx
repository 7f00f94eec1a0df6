import { useEffect, useState } from 'react';
import type { ConnectedService } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';
import { ServiceSelect } from '../service/service-select.js';
import { BreakdownBars, FunnelTable } from './breakdowns.js';
import { EventsChart } from './events-chart.js';
import { TimelinePanel } from './timeline-panel.js';
import { TopLinks } from './top-links.js';
import { RANGES, useActivity, type RangeId } from './use-activity.js';
import '../backlog/backlog.css';
import './activity.css';

/**
 * Email activity (issue 13): events by type over time, the funnel per category, bounce classes, deferral
 * reasons and the most clicked links of one ingest service, read from the counts it keeps (so it opens at
 * once whatever the size of the topic); below, one recipient's timeline read from the topic.
 */
export function ActivityPage(props: { services: ConnectedService[]; profile: string; kafka: boolean; topic: string | null }) {
  const [picked, setPicked] = useState<string | null>(null);
  const service = props.services.find((s) => s.url === picked)?.url ?? props.services[0]!.url;
  const [range, setRange] = useState<RangeId>('24h');
  const [source, setSource] = useState('');
  const [sources, setSources] = useState<{ id: string; kind: string; topic: string }[]>([]);
  const a = useActivity({ service, range, source, profile: props.profile });

  useEffect(() => {
    let live = true;
    api
      .serviceStatus({ service })
      .then((s) => live && setSources(s.sources.filter((x) => !x.internal && (x.kind === 'sendgrid' || x.kind === 'sns')).map((x) => ({ id: x.id, kind: x.kind, topic: x.topic }))))
      .catch(() => live && setSources([]));
    return () => {
      live = false;
    };
  }, [service]);

  const o = a.overview;
  const total = o ? o.series.series.reduce((n, s) => n + s.total, 0) : null;
  const topics = [...new Set([...(props.topic ? [props.topic] : []), ...sources.map((s) => s.topic)])];
  const sourceTopic = sources.find((s) => s.id === source)?.topic ?? props.topic ?? sources[0]?.topic ?? null;

  return (
    <section className="page activity" data-testid="activity-page">
      <div className="page-head">
        <h1>Email activity</h1>
        <span className="muted small">counts kept by the service as events pass: nothing personal, no scan</span>
        <span className="spacer" />
        <ServiceSelect services={props.services} value={service} onChange={setPicked} testId="activity-service" />
        <select value={source} onChange={(e) => setSource(e.target.value)} data-testid="activity-source">
          <option value="">All email sources</option>
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id} ({s.kind})
            </option>
          ))}
        </select>
        <select value={range} onChange={(e) => setRange(e.target.value as RangeId)} data-testid="activity-range">
          {RANGES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void a.reload()} disabled={a.busy} data-testid="activity-refresh">
          {a.busy ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      <ErrorBanner error={a.error} onRetry={() => void a.reload()} />
      {total !== null ? (
        <p className="small" data-testid="activity-total">
          <strong>{formatCount(total)}</strong> events forwarded in this range
        </p>
      ) : null}
      {o ? <EventsChart series={o.series} /> : <div className="panel activity-panel muted">Loading counts…</div>}
      <div className="activity-grid">
        {o ? <FunnelTable funnel={o.funnel} /> : null}
        <TopLinks links={a.links} error={a.linksError} busy={a.linksBusy} profile={props.profile} />
        {o ? <BreakdownBars title="Bounce classes" empty="No bounce, block or drop in this range." rows={o.bounces.rows} testId="activity-bounces" /> : null}
        {o ? (
          <BreakdownBars
            title="Deferral reasons"
            empty="No deferral in this range."
            rows={o.deferrals.rows}
            testId="activity-deferrals"
            note="SMTP status classes (code and enhanced code) or SES delay types: the reply text is never kept, it can name the recipient."
          />
        ) : null}
      </div>
      <TimelinePanel key={sourceTopic ?? ''} topics={topics} defaultTopic={sourceTopic} kafka={props.kafka} profile={props.profile} />
    </section>
  );
}
