import type { FleetMember, FleetStatus } from '../../../shared/console-api/service-types.js';
import { formatCount } from '../common/format.js';
import { formatAge, formatRate } from './series.js';

const rates = (m: FleetMember) => ({
  accept: m.status?.sources.reduce((n, s) => n + s.acceptRate, 0) ?? 0,
  forward: m.status?.sources.reduce((n, s) => n + s.forwardRate, 0) ?? 0,
});

function HealthCell(props: { m: FleetMember }) {
  const { m } = props;
  if (!m.status) return <span className="bad" title={m.error?.message}>✗ unreachable{m.error ? ` (${m.error.code})` : ''}</span>;
  if (m.problems.length === 0) return <span className="ok">✓ healthy</span>;
  return <span className="warn">⚠ {m.problems.join(' · ')}</span>;
}

/**
 * The fleet side by side: one row per service (pending, oldest wait, rates, dead letters, health)
 * and the totals an on-call operator reads first. A row picks the service the panels below act on.
 */
export function FleetTable(props: { fleet: FleetStatus; selected: string | null; onSelect(service: string): void }) {
  const { fleet, selected } = props;
  const t = fleet.totals;
  const unreachable = t.services - t.reachable;
  return (
    <table className="fleet panel" data-testid="fleet-table">
      <thead>
        <tr>
          <th>Service</th>
          <th title="journal entries (requests) not yet in Kafka">Pending</th>
          <th>Oldest waiting</th>
          <th>Accepted/s</th>
          <th>Forwarded/s</th>
          <th>Dead letters</th>
          <th className="health">Health</th>
        </tr>
      </thead>
      <tbody>
        {fleet.members.map((m) => {
          const r = rates(m);
          const pending = m.status?.journal.pendingTotal;
          return (
            <tr key={m.service} className={m.service === selected ? 'selected' : ''} onClick={() => props.onSelect(m.service)} data-testid="fleet-row" data-service={m.service}>
              <td>
                <button type="button" className="link mono" onClick={() => props.onSelect(m.service)} title={m.service} data-testid="fleet-service">
                  {m.label}
                </button>
              </td>
              <td className={pending ? 'warn' : ''} data-testid="fleet-pending">
                {pending === undefined ? '—' : formatCount(pending)}
              </td>
              <td data-testid="fleet-oldest">{m.status ? formatAge(m.status.journal.oldestPendingAgeSeconds) : '—'}</td>
              <td>{m.status ? formatRate(r.accept) : '—'}</td>
              <td>{m.status ? formatRate(r.forward) : '—'}</td>
              <td className={m.status?.deadLetters.open ? 'warn' : ''}>{m.status ? formatCount(m.status.deadLetters.open) : '—'}</td>
              <td className="health" data-testid="fleet-health">
                <HealthCell m={m} />
              </td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr data-testid="fleet-totals">
          <td>
            Total · {t.services} service{t.services === 1 ? '' : 's'}
          </td>
          <td className={t.pending ? 'warn' : ''} data-testid="fleet-total-pending">
            {formatCount(t.pending)}
          </td>
          <td data-testid="fleet-total-oldest">{formatAge(t.oldestPendingAgeSeconds)}</td>
          <td data-testid="fleet-total-accept">{formatRate(t.acceptRate)}</td>
          <td data-testid="fleet-total-forward">{formatRate(t.forwardRate)}</td>
          <td className={t.deadLettersOpen ? 'warn' : ''} data-testid="fleet-total-dead">
            {formatCount(t.deadLettersOpen)}
          </td>
          <td className={`health ${t.healthy === t.services ? 'ok' : unreachable ? 'bad' : 'warn'}`} data-testid="fleet-total-health">
            {t.healthy} of {t.services} healthy{unreachable ? ` · ${unreachable} unreachable` : ''}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
