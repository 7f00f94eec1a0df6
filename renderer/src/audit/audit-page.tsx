import { useEffect, useState } from 'react';
import type { ConnectedService } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ServiceSelect } from '../service/service-select.js';
import { EventsView } from './events-view.js';
import { TrailView } from './trail-view.js';
import '../backlog/backlog.css';

/** What the page shows: the service's own trail, or one indexed `events` source. */
const TRAIL = '';

/**
 * Who did what. Either one service's own audit trail (admin actions, refusals, the console's decryptions and
 * exports), or the events of an `events` source that service indexes (the audit producers' events, seed 002),
 * whose sealed sections open with the identity chosen in the top bar. With a fleet, the operator picks the service.
 */
export function AuditPage(props: { services: ConnectedService[]; profile: string }) {
  const [picked, setPicked] = useState<string | null>(null);
  const service = props.services.find((s) => s.url === picked)?.url ?? props.services[0]!.url;
  const [view, setView] = useState(TRAIL);
  const [sources, setSources] = useState<string[]>([]);
  const [note, setNote] = useState<string | null>(null);

  // Which events sources this service indexes (none when its index is off: the trail only, with the reason).
  useEffect(() => {
    let live = true;
    setSources([]);
    setView(TRAIL);
    api.queryEvents({ service, limit: 1 }).then(
      (r) => live && (setSources(r.index.sources.map((s) => s.id)), setNote(null)),
      (err: { message?: string }) => live && setNote(err.message ?? 'events sources unavailable'),
    );
    return () => void (live = false);
  }, [service]);

  const picker = (
    <>
      <ServiceSelect services={props.services} value={service} onChange={setPicked} testId="audit-service" label />
      <label>
        Events of
        <select value={view} onChange={(e) => setView(e.target.value)} data-testid="audit-view" title={note ?? undefined}>
          <option value={TRAIL}>admin audit trail</option>
          {sources.map((s) => (
            <option key={s} value={s}>
              source {s}
            </option>
          ))}
        </select>
      </label>
    </>
  );

  return (
    <section className="page page-fill audit" data-testid="audit-page">
      <div className="page-head">
        <h1>Audit</h1>
        <span className="muted small">
          {view === TRAIL ? 'admin actions, refusals, and this console\u2019s decryptions and exports' : `events posted to source ${view}; sealed fields open as ${props.profile}`}
        </span>
      </div>
      {view === TRAIL ? <TrailView key={service} service={service} picker={picker} /> : <EventsView key={`${service}|${view}`} service={service} source={view} profile={props.profile} picker={picker} />}
    </section>
  );
}
