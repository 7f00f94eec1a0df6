import { useCallback, useEffect, useRef, useState } from 'react';
import type { FleetStatus, ServiceState } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatTime } from '../common/format.js';
import { FleetTable } from './fleet-table.js';
import { ServiceBacklog } from './service-backlog.js';
import './backlog.css';

const STATUS_MS = 2_000;
const STATUS_FAST_MS = 1_000;

/**
 * What is stuck across the fleet and how to move it: every signed-in service side by side with the
 * totals (polled every 2 s, every second while draining), then the chosen service in detail with its
 * rates and backlog over the last hour, drain, pause/resume, dead letters and replays. Every action
 * is that service's own admin call, audited there under the identity signed in to it.
 */
export function BacklogPage(props: { service: ServiceState }) {
  const [fleet, setFleet] = useState<FleetStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [draining, setDraining] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);

  // One poll at a time: a stalled service makes one last up to the Node side's deadline (5 s).
  const polling = useRef(false);
  const load = useCallback(async () => {
    if (polling.current) return;
    polling.current = true;
    try {
      setFleet(await api.fleetStatus());
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      polling.current = false;
    }
  }, []);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), draining ? STATUS_FAST_MS : STATUS_MS);
    return () => clearInterval(t);
  }, [load, draining]);

  // The first service until the operator picks another (or the picked one leaves the fleet).
  const member = fleet?.members.find((m) => m.service === selected) ?? fleet?.members[0];
  const onError = useCallback((err: unknown) => setError(err), []);
  const refresh = useCallback(() => void load(), [load]);
  const silent = fleet ? fleet.totals.services - fleet.totals.reachable : 0;
  const stale = Boolean(error) || silent > 0;

  return (
    <section className="page page-scroll backlog" data-testid="backlog-page">
      <div className="page-head">
        <h1>Backlog</h1>
        <span className="chip">
          {fleet ? `${fleet.totals.services} service${fleet.totals.services === 1 ? '' : 's'}` : `${props.service.connected.length} services`}
        </span>
        <span className={`live-dot ${stale ? 'stale' : ''}`} data-testid="backlog-updated">
          {fleet ? `${error ? 'stale' : 'live'} · updated ${formatTime(fleet.now).slice(11, 19)}Z${silent ? ` · ${silent} not answering` : ''}` : 'loading…'}
        </span>
        <span className="spacer" />
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} onRetry={refresh} />
      {fleet ? <FleetTable fleet={fleet} selected={member?.service ?? null} onSelect={setSelected} /> : null}
      {member ? <ServiceBacklog key={member.service} member={member} service={props.service} onDraining={setDraining} onChanged={refresh} onError={onError} /> : null}
    </section>
  );
}
