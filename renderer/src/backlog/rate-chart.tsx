import type { RatePoint } from './series.js';

type Key = 'accept' | 'forward' | 'pending';

const hhmmss = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

/**
 * A small SVG line chart over time (the partitions page's style: plain SVG, no chart library):
 * accept vs forward rate shows Kafka falling behind, the backlog line shows it catching up.
 */
export function RateChart(props: { title: string; points: RatePoint[]; lines: { key: Key; label: string; className: string }[]; unit: string; testId: string }) {
  const { points, lines } = props;
  const w = 620;
  const h = 170;
  const left = 56;
  const top = 10;
  const plotW = w - left - 12;
  const plotH = h - top - 26;
  const max = Math.max(1, ...points.flatMap((p) => lines.map((l) => p[l.key])));
  const t0 = points[0]?.at ?? 0;
  const t1 = points[points.length - 1]?.at ?? 1;
  const x = (at: number) => left + (t1 > t0 ? ((at - t0) / (t1 - t0)) * plotW : plotW);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const maxLabel = max >= 10 ? Math.round(max).toLocaleString('en-US') : max.toFixed(1);
  return (
    <figure className="chart rate-chart" data-testid={props.testId}>
      <figcaption className="chart-title">
        {props.title}
        <span className="chart-legend">
          {lines.map((l) => (
            <span key={l.key} className={`legend-item ${l.className}`}>
              ■ {l.label}
            </span>
          ))}
        </span>
      </figcaption>
      <svg width={w} height={h} role="img" aria-label={props.title}>
        <line x1={left} y1={top + plotH} x2={left + plotW} y2={top + plotH} className="axis" />
        <line x1={left} y1={top} x2={left} y2={top + plotH} className="axis" />
        <text x={left - 6} y={top + 8} className="tick" textAnchor="end">
          {maxLabel}
        </text>
        <text x={left - 6} y={top + plotH} className="tick" textAnchor="end">
          0
        </text>
        <text x={left - 6} y={top + plotH / 2 + 4} className="tick" textAnchor="end">
          {props.unit}
        </text>
        {points.length > 0 ? (
          <>
            <text x={left} y={h - 4} className="tick">
              {hhmmss(t0)}Z
            </text>
            <text x={left + plotW} y={h - 4} className="tick" textAnchor="end">
              {hhmmss(t1)}Z
            </text>
          </>
        ) : (
          <text x={left + plotW / 2} y={top + plotH / 2} className="tick" textAnchor="middle">
            collecting samples (one every 5 s)…
          </text>
        )}
        {lines.map((l) =>
          points.length > 1 ? (
            <polyline key={l.key} className={`line ${l.className}`} fill="none" points={points.map((p) => `${x(p.at).toFixed(1)},${y(p[l.key]).toFixed(1)}`).join(' ')} />
          ) : points.length === 1 ? (
            <circle key={l.key} className={`dot ${l.className}`} cx={x(points[0]!.at)} cy={y(points[0]![l.key])} r={3} />
          ) : null,
        )}
      </svg>
    </figure>
  );
}
