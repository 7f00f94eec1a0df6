import { useState } from 'react';
import type { DrainResponse, StatusResponse } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';

const DRAIN_TIMEOUT_MS = 120_000;

/**
 * Drain now: wakes the service's forwarder and waits until nothing forwardable is pending. The bar
 * follows the live backlog (the page polls status faster while it runs); the answer says whether it
 * drained, and if not, why (the backlog stays in the journal either way).
 */
export function DrainPanel(props: { service: string; status: StatusResponse; allowed: boolean; onRunning(running: boolean): void; onDone(): void }) {
  const [run, setRun] = useState<{ before: number; startedAt: number } | null>(null);
  const [result, setResult] = useState<DrainResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pending = props.status.journal.pendingTotal;

  const drain = async () => {
    setError(null);
    setResult(null);
    setRun({ before: pending, startedAt: Date.now() });
    props.onRunning(true);
    try {
      setResult(await api.drainBacklog({ service: props.service, timeoutMs: DRAIN_TIMEOUT_MS }));
    } catch (err) {
      setError(err);
    } finally {
      setRun(null);
      props.onRunning(false);
      props.onDone();
    }
  };

  const before = run?.before ?? result?.pendingBefore ?? 0;
  const now = run ? pending : (result?.pendingAfter ?? pending);
  const pct = run || result ? (before > 0 ? Math.min(100, Math.max(0, ((before - now) / before) * 100)) : 100) : 0;
  const lastError = props.status.kafka.forwarder?.lastError;
  const failingNow = run && lastError && lastError.at >= run.startedAt ? lastError : null;
  const state = run ? 'running' : result ? (result.drained ? 'done' : 'failed') : error ? 'failed' : 'idle';
  return (
    <div className={`drain scan-${state === 'idle' ? 'done' : state}`} data-testid="drain-panel" data-state={state}>
      <div className="drain-row">
        <button type="button" className="primary" disabled={!props.allowed || Boolean(run)} onClick={() => void drain()} data-testid="drain-button" title={props.allowed ? 'Forward the backlog now' : 'Your roles do not include backlog:drain'}>
          {run ? 'Draining…' : 'Drain now'}
        </button>
        <div className="drain-text" data-testid="drain-text">
          {run
            ? `Forwarding the backlog: ${formatCount(Math.max(0, before - now))} of ${formatCount(before)} entries done, ${formatCount(now)} left`
            : result
              ? result.drained
                ? `Drained in ${(result.elapsedMs / 1000).toFixed(1)} s: ${formatCount(result.pendingBefore)} entries were waiting, ${formatCount(result.pendingAfter)} left (paused sources stay).`
                : `Not drained within ${Math.round(result.elapsedMs / 1000)} s${result.lastError ? `: ${result.lastError.code} — ${result.lastError.message}` : ''}. Nothing is lost: the backlog stays in the journal.`
              : pending > 0
                ? `${formatCount(pending)} entries are waiting in the journal.`
                : 'Nothing is waiting.'}
        </div>
      </div>
      {failingNow ? (
        <div className="small warn" data-testid="drain-failing">
          Last attempt failed: {failingNow.code} — {failingNow.message}. The service keeps the backlog and keeps trying.
        </div>
      ) : null}
      {run || result ? (
        <div className="progress" role="progressbar" aria-label="Drain progress" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100} data-testid="drain-progress">
          <div className="progress-fill" style={{ width: `${pct}%` }} />
        </div>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </div>
  );
}
