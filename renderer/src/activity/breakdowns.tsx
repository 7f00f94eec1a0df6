import type { ActivityBreakdownResponse, ActivityFunnelResponse } from '../../../shared/console-api/activity-types.js';
import { formatCount } from '../common/format.js';

const pct = (n: number, of: number): string => (of > 0 ? `${Math.round((n / of) * 100)}%` : '–');

/** The delivery funnel per category: processed → delivered → open → click, with the rate of each step. */
export function FunnelTable(props: { funnel: ActivityFunnelResponse }) {
  const rows = props.funnel.categories;
  return (
    <div className="panel activity-panel" data-testid="activity-funnel">
      <h2>Funnel per category</h2>
      {rows.length === 0 ? <p className="muted small">No processed, delivered, opened or clicked mail in this range.</p> : null}
      <table className="funnel">
        <thead>
          <tr>
            <th>Category</th>
            <th>Processed</th>
            <th>Delivered</th>
            <th>Opened</th>
            <th>Clicked</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.category} data-testid="funnel-row" data-category={r.category}>
              <td className={r.category.startsWith('(') ? 'muted' : ''}>{r.category}</td>
              <td className="num">{formatCount(r.processed)}</td>
              <td className="num">
                {formatCount(r.delivered)} <span className="muted small">{pct(r.delivered, r.processed)}</span>
              </td>
              <td className="num">
                {formatCount(r.open)} <span className="muted small">{pct(r.open, r.delivered)}</span>
              </td>
              <td className="num">
                {formatCount(r.click)} <span className="muted small">{pct(r.click, r.open)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Events, not unique messages: a mail opened twice counts two opens. {props.funnel.truncated ? 'Largest categories only.' : ''}</p>
    </div>
  );
}

/** Bounce classes or deferral reasons: horizontal bars, largest first. */
export function BreakdownBars(props: { title: string; empty: string; rows: ActivityBreakdownResponse['rows']; testId: string; note?: string }) {
  const max = Math.max(1, ...props.rows.map((r) => r.count));
  return (
    <div className="panel activity-panel" data-testid={props.testId}>
      <h2>{props.title}</h2>
      {props.rows.length === 0 ? <p className="muted small">{props.empty}</p> : null}
      <ul className="bars">
        {props.rows.map((r) => (
          <li key={`${r.source}/${r.type}/${r.class}`} data-testid={`${props.testId}-row`} data-class={r.class}>
            <span className="bar-label" title={`${r.source} · ${r.type}`}>
              {r.class} <span className="muted small">{r.type}</span>
            </span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: `${(r.count / max) * 100}%` }} />
            </span>
            <span className="bar-count num">{formatCount(r.count)}</span>
          </li>
        ))}
      </ul>
      {props.note ? <p className="muted small">{props.note}</p> : null}
    </div>
  );
}
