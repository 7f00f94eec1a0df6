import { useEffect, useState } from 'react';
import type { OffsetResetPlan, ResetTarget } from '../../../shared/console-api/group-types.js';
import { api } from '../api/client.js';
import { ConfirmDialog } from '../backlog/confirm-dialog.js';
import '../backlog/backlog.css';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';

type Kind = ResetTarget['kind'];

const KIND_LABELS: Record<Kind, string> = {
  earliest: 'Earliest (oldest record kept)',
  latest: 'Latest (skip to the end)',
  time: 'A time',
  offset: 'An offset',
};

/** Where a reset goes, in words, for the confirmation. */
function describeTarget(to: ResetTarget): string {
  switch (to.kind) {
    case 'earliest':
      return 'the oldest record kept';
    case 'latest':
      return 'the end (nothing left to read)';
    case 'time':
      return `the first record at or after ${new Date(to.at).toLocaleString()}`;
    case 'offset':
      return `offset ${to.offset}`;
  }
}

/** The target the form describes, or a sentence saying what is missing. */
function targetOf(kind: Kind, time: string, offset: string): ResetTarget | string {
  if (kind === 'time') {
    const at = new Date(time).getTime();
    return Number.isFinite(at) && at >= 0 ? { kind, at } : 'Pick a date and time.';
  }
  if (kind === 'offset') return /^\d{1,19}$/.test(offset) ? { kind, offset } : 'An offset is a non-negative whole number.';
  return { kind };
}

/**
 * Resets a consumer group's committed offsets on this topic (as kafka-ui, AKHQ and Conduktor do): earliest,
 * latest, a time or an offset, for every partition or one. Preview first (the new offsets and lag, nothing
 * written), then apply after a confirmation; the Node side refuses while the group has active members and
 * reports the reset to the audit trail.
 */
export function OffsetResetPanel(props: { topic: string; groupId: string; partitions: number[]; onApplied(): void }) {
  const [scope, setScope] = useState<'all' | number>('all');
  const [kind, setKind] = useState<Kind>('earliest');
  const [time, setTime] = useState('');
  const [offset, setOffset] = useState('');
  const [plan, setPlan] = useState<OffsetResetPlan | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // Any change of the question makes the old answer stale.
  useEffect(() => setPlan(null), [props.groupId, props.topic, scope, kind, time, offset]);

  const target = targetOf(kind, time, offset);
  const args = () => ({ groupId: props.groupId, topic: props.topic, to: target as ResetTarget, ...(scope === 'all' ? {} : { partitions: [scope] }) });

  const preview = async () => {
    setBusy(true);
    setError(null);
    try {
      setPlan(await api.previewOffsetReset(args()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    const done = await api.applyOffsetReset(args());
    setPlan(done);
    props.onApplied();
  };

  return (
    <div className="panel" data-testid="offset-reset">
      <h2>Reset offsets of {props.groupId}</h2>
      <div className="form">
        <div className="row">
          <label>
            Partitions
            <select value={String(scope)} onChange={(e) => setScope(e.target.value === 'all' ? 'all' : Number(e.target.value))} data-testid="reset-scope">
              <option value="all">All partitions of {props.topic}</option>
              {props.partitions.map((p) => (
                <option key={p} value={p}>
                  Partition {p}
                </option>
              ))}
            </select>
          </label>
          <label>
            Reset to
            <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="reset-kind">
              {(Object.keys(KIND_LABELS) as Kind[]).map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          {kind === 'time' ? (
            <label>
              First record at or after (local time)
              <input type="datetime-local" step="1" value={time} onChange={(e) => setTime(e.target.value)} data-testid="reset-time" />
            </label>
          ) : null}
          {kind === 'offset' ? (
            <label>
              Offset (clamped to each partition's range)
              <input inputMode="numeric" value={offset} onChange={(e) => setOffset(e.target.value.trim())} data-testid="reset-offset" />
            </label>
          ) : null}
        </div>
        {typeof target === 'string' ? <p className="muted small">{target}</p> : null}
        <div className="actions">
          <button type="button" onClick={() => void preview()} disabled={busy || typeof target === 'string'} data-testid="reset-preview">
            {busy ? 'Working…' : 'Preview'}
          </button>
          <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={!plan || plan.appliedAt !== null || plan.blocked !== null} data-testid="reset-apply">
            Apply reset
          </button>
        </div>
      </div>
      <ErrorBanner error={error} />
      {plan?.blocked ? (
        <div className="banner banner-warn" role="alert" data-testid="reset-blocked">
          <div className="banner-text">{plan.blocked}</div>
        </div>
      ) : null}
      {plan?.appliedAt ? (
        <div className="banner banner-ok" data-testid="reset-applied">
          <div className="banner-text">
            Applied at {new Date(plan.appliedAt).toLocaleTimeString()}: the group now starts from these offsets (reported to the audit trail when a service is connected).
          </div>
        </div>
      ) : null}
      {plan ? (
        <table className="matrix" data-testid="reset-plan">
          <thead>
            <tr>
              <th>Partition</th>
              <th>Committed</th>
              <th>New offset</th>
              <th>Lag now</th>
              <th>Lag after</th>
            </tr>
          </thead>
          <tbody>
            {plan.partitions.map((p) => (
              <tr key={p.partition}>
                <td>{p.partition}</td>
                <td className="mono">{p.committed ?? 'none'}</td>
                <td className="mono">
                  {p.target}
                  {p.clamped ? <span className="muted small"> (clamped to {p.low}–{p.high})</span> : null}
                </td>
                <td>{formatCount(p.lagBefore)}</td>
                <td className={p.lagAfter > 0 ? 'cell-warn' : ''}>{formatCount(p.lagAfter)}</td>
              </tr>
            ))}
            <tr>
              <td colSpan={3}>Total</td>
              <td data-testid="reset-lag-before">{formatCount(plan.lagBefore)}</td>
              <td data-testid="reset-lag-after">{formatCount(plan.lagAfter)}</td>
            </tr>
          </tbody>
        </table>
      ) : null}
      {confirming && plan ? (
        <ConfirmDialog title={`Reset ${props.groupId}?`} confirmLabel="Reset offsets" danger onConfirm={() => apply()} onClose={() => setConfirming(false)}>
          <p>
            {plan.partitions.length === 1 ? `Partition ${plan.partitions[0]!.partition}` : `${plan.partitions.length} partitions`} of {props.topic}{' '}
            {plan.partitions.length === 1 ? 'moves' : 'move'} to {describeTarget(plan.to)}; the group&apos;s lag goes from {formatCount(plan.lagBefore)} to{' '}
            {formatCount(plan.lagAfter)}. Its consumers will re-read or skip records accordingly, from their next start.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
