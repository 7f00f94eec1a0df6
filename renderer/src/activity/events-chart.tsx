import type { ActivitySeriesResponse } from '../../../shared/console-api/activity-types.js';
import { formatCount } from '../common/format.js';

/** Colours of the series, in order (largest series first). */
const PALETTE = ['#4ea1ff', '#3ecf8e', '#f5b041', '#b794f6', '#ff6b6b', '#7cc4ff', '#e88ad6', '#9be15d', '#f78c40', '#8a9bb2'];
const MAX_SERIES = PALETTE.length;

const label = (ms: number, stepSeconds: number): string => {
  const iso = new Date(ms).toISOString();
  return stepSeconds >= 86_400 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}Z`;
};

/**
 * Events by type over time: one line per (source, type), largest first, plain SVG like the other charts
 * of the console. Beyond ten series the smallest are summed into "other types".
 */
export function EventsChart(props: { series: ActivitySeriesResponse }) {
  const s = props.series;
  const step = s.stepSeconds * 1000;
  const lines = s.series.slice(0, MAX_SERIES - 1).map((x) => ({ name: `${x.type}`, source: x.source, counts: x.counts, total: x.total }));
  const rest = s.series.slice(MAX_SERIES - 1);
  if (rest.length) {
    const counts = new Array<number>(s.points).fill(0);
    for (const x of rest) x.counts.forEach((n, i) => (counts[i]! += n));
    lines.push({ name: `${rest.length} other types`, source: '', counts, total: rest.reduce((a, b) => a + b.total, 0) });
  }
  const sources = new Set(s.series.map((x) => x.source));
  const w = 980;
  const h = 230;
  const left = 56;
  const top = 10;
  const plotW = w - left - 12;
  const plotH = h - top - 28;
  const max = Math.max(1, ...lines.flatMap((l) => l.counts));
  const x = (i: number) => left + (s.points > 1 ? (i / (s.points - 1)) * plotW : plotW / 2);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  return (
    <figure className="chart activity-chart" data-testid="activity-chart">
      <figcaption className="chart-title">
        Events by type
        <span className="muted small">
          per {s.stepSeconds >= 3600 ? `${s.stepSeconds / 3600} h` : `${s.stepSeconds / 60} min`} · {s.resolution === 'hour' ? 'hourly' : 'per-minute'} counts
        </span>
      </figcaption>
      <div className="chart-legend wrap-legend">
        {lines.map((l, i) => (
          <span key={`${l.source}/${l.name}`} className="legend-item" style={{ color: PALETTE[i] }} data-testid="chart-legend-item">
            ■ {l.name}
            {sources.size > 1 && l.source ? <span className="muted"> ({l.source})</span> : null} <span className="muted">{formatCount(l.total)}</span>
          </span>
        ))}
      </div>
      <svg width={w} height={h} role="img" aria-label="Events by type over time">
        <line x1={left} y1={top + plotH} x2={left + plotW} y2={top + plotH} className="axis" />
        <line x1={left} y1={top} x2={left} y2={top + plotH} className="axis" />
        <text x={left - 6} y={top + 8} className="tick" textAnchor="end">
          {formatCount(max)}
        </text>
        <text x={left - 6} y={top + plotH} className="tick" textAnchor="end">
          0
        </text>
        <text x={left} y={h - 6} className="tick">
          {label(s.from, s.stepSeconds)}
        </text>
        <text x={left + plotW} y={h - 6} className="tick" textAnchor="end">
          {label(s.to - step, s.stepSeconds)}
        </text>
        {lines.length === 0 ? (
          <text x={left + plotW / 2} y={top + plotH / 2} className="tick" textAnchor="middle">
            no events in this range
          </text>
        ) : null}
        {lines.map((l, i) => (
          <polyline key={`${l.source}/${l.name}`} fill="none" stroke={PALETTE[i]} strokeWidth={1.8} points={l.counts.map((n, k) => `${x(k).toFixed(1)},${y(n).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
    </figure>
  );
}
