import type { SuppressionCountsResponse } from '../../../shared/console-api/suppression-types.js';

/** One colour class per reason, in a stable order (unknown reasons share the last). */
export const REASON_ORDER = ['bounce', 'dropped', 'complaint', 'spamreport', 'unsubscribe', 'group_unsubscribe'];
export const reasonClass = (reason: string): string => `reason-${Math.min(REASON_ORDER.indexOf(reason) < 0 ? REASON_ORDER.length : REASON_ORDER.indexOf(reason), REASON_ORDER.length)}`;

/**
 * Active suppressions by the time their reason began, stacked per reason in one bar per bucket
 * (plain SVG like the other charts: no chart library). Totals per reason sit in the legend.
 */
export function CountsChart(props: { counts: SuppressionCountsResponse | null }) {
  const c = props.counts;
  const w = 760;
  const h = 190;
  const left = 44;
  const top = 10;
  const plotW = w - left - 10;
  const plotH = h - top - 28;
  const starts = c ? [...new Set(c.series.map((s) => s.start))].sort() : [];
  const byStart = new Map<string, { reason: string; count: number }[]>();
  for (const s of c?.series ?? []) byStart.set(s.start, [...(byStart.get(s.start) ?? []), { reason: s.reason, count: s.count }]);
  const max = Math.max(1, ...starts.map((s) => (byStart.get(s) ?? []).reduce((n, x) => n + x.count, 0)));
  const barW = starts.length ? Math.max(3, Math.min(40, plotW / starts.length - 4)) : 0;
  const reasons = c ? Object.keys(c.totals).sort((a, b) => REASON_ORDER.indexOf(a) - REASON_ORDER.indexOf(b)) : [];
  return (
    <figure className="chart counts-chart" data-testid="suppression-chart">
      <figcaption className="chart-title">
        Active suppressions by the day their reason began{c ? ` (${c.bucket}s, ${c.from.slice(0, 10)} – ${c.to.slice(0, 10)})` : ''}
        <span className="chart-legend">
          {reasons.map((r) => (
            <span key={r} className={`legend-item ${reasonClass(r)}`} data-testid={`suppression-total-${r}`}>
              ■ {r} {c!.totals[r]}
            </span>
          ))}
        </span>
      </figcaption>
      <svg width={w} height={h} role="img" aria-label="Active suppressions by reason over time">
        <line x1={left} y1={top + plotH} x2={left + plotW} y2={top + plotH} className="axis" />
        <line x1={left} y1={top} x2={left} y2={top + plotH} className="axis" />
        <text x={left - 6} y={top + 8} className="tick" textAnchor="end">
          {max}
        </text>
        <text x={left - 6} y={top + plotH} className="tick" textAnchor="end">
          0
        </text>
        {starts.length === 0 ? (
          <text x={left + plotW / 2} y={top + plotH / 2} className="tick" textAnchor="middle">
            {c ? 'no suppression began in this range' : 'loading…'}
          </text>
        ) : null}
        {starts.map((s, i) => {
          const x = left + 4 + (starts.length === 1 ? plotW / 2 - barW / 2 : (i / starts.length) * plotW);
          let y = top + plotH;
          return (
            <g key={s} data-testid="suppression-bar">
              {(byStart.get(s) ?? [])
                .sort((a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason))
                .map((part) => {
                  const hh = (part.count / max) * plotH;
                  y -= hh;
                  return <rect key={part.reason} x={x} y={y} width={barW} height={hh} className={`bar ${reasonClass(part.reason)}`}><title>{`${s.slice(0, 10)} ${part.reason}: ${part.count}`}</title></rect>;
                })}
              {starts.length <= 12 || i % Math.ceil(starts.length / 12) === 0 ? (
                <text x={x + barW / 2} y={h - 6} className="tick" textAnchor="middle">
                  {s.slice(5, 10)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
