import type { GroupLag, PartitionInfo } from '../../../shared/console-api/types.js';
import { formatCount } from '../common/format.js';

/** Max over mean: 1.0 is perfectly even; operators care when one partition carries far more than its share. */
export function skew(values: readonly number[]): number {
  if (values.length === 0) return 1;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return mean === 0 ? 1 : Math.max(...values) / mean;
}

/**
 * Per-partition size (bars) and, for one consumer group, its lag (red bars beside them), drawn as
 * plain SVG: a hot partition or a stuck consumer shows as one bar standing out.
 */
export function SkewChart(props: { partitions: PartitionInfo[]; group: GroupLag | null }) {
  const { partitions, group } = props;
  const lag = new Map(group?.partitions.map((p) => [p.partition, p.lag]) ?? []);
  const max = Math.max(1, ...partitions.map((p) => p.records), ...[...lag.values()]);
  const barW = Math.max(10, Math.min(48, Math.floor(760 / Math.max(1, partitions.length) / (group ? 2.6 : 1.6))));
  const slot = barW * (group ? 2.6 : 1.6);
  const h = 180;
  const w = Math.max(360, 60 + partitions.length * slot);
  return (
    <figure className="chart" data-testid="skew-chart">
      <svg width={w} height={h + 40} role="img" aria-label="Records and lag per partition">
        <line x1={50} y1={h} x2={w} y2={h} className="axis" />
        <text x={44} y={12} className="tick" textAnchor="end">
          {formatCount(max)}
        </text>
        <text x={44} y={h} className="tick" textAnchor="end">
          0
        </text>
        {partitions.map((p, i) => {
          const x = 56 + i * slot;
          const rh = (p.records / max) * (h - 10);
          const l = lag.get(p.partition) ?? 0;
          const lh = (l / max) * (h - 10);
          return (
            <g key={p.partition}>
              <rect x={x} y={h - rh} width={barW} height={rh} className="bar-size">
                <title>{`partition ${p.partition}: ${formatCount(p.records)} records`}</title>
              </rect>
              {group ? (
                <rect x={x + barW + 2} y={h - lh} width={barW} height={lh} className="bar-lag">
                  <title>{`partition ${p.partition}: lag ${formatCount(l)}`}</title>
                </rect>
              ) : null}
              <text x={x + (group ? barW : barW / 2)} y={h + 16} className="tick" textAnchor="middle">
                {p.partition}
              </text>
            </g>
          );
        })}
        <text x={56} y={h + 34} className="legend">
          <tspan className="legend-size">■</tspan> records
          {group ? (
            <>
              {'   '}
              <tspan className="legend-lag">■</tspan> lag of {group.groupId}
            </>
          ) : null}
        </text>
      </svg>
      <figcaption>
        Size skew <strong data-testid="size-skew">{skew(partitions.map((p) => p.records)).toFixed(2)}×</strong> (largest partition vs mean)
        {group ? (
          <>
            {' · '}lag skew <strong>{skew(group.partitions.map((p) => p.lag)).toFixed(2)}×</strong>
          </>
        ) : null}
      </figcaption>
    </figure>
  );
}
