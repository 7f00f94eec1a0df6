import type { ScanProgress } from '../../../shared/console-api/types.js';
import { formatCount } from '../common/format.js';

const STATE_TEXT: Record<ScanProgress['state'], string> = {
  running: 'Scanning',
  done: 'Scan complete',
  budget: 'Scan paused: budget spent',
  cancelled: 'Scan cancelled',
  capped: 'Scan stopped: match cap reached (narrow the filters)',
  failed: 'Scan failed',
};

/** Progress of a topic scan: how far, how many matches, how fast; cancel while running, resume after a pause. */
export function ScanBar(props: { progress: ScanProgress; onCancel(): void; onResume(): void; onClose(): void }) {
  const p = props.progress;
  const pct = p.total > 0 ? Math.min(100, (p.scanned / p.total) * 100) : 100;
  const rate = p.elapsedMs > 0 ? Math.round(p.scanned / (p.elapsedMs / 1000)) : 0;
  return (
    <div className={`scanbar scan-${p.state}`} data-testid="scan-bar" data-state={p.state}>
      <div className="scan-text">
        <strong>{STATE_TEXT[p.state]}</strong> — read {formatCount(p.scanned)} of {formatCount(p.total)} records, <strong data-testid="scan-matched">{formatCount(p.matched)}</strong> match
        {p.matched === 1 ? '' : 'es'}
        {rate ? ` · ${formatCount(rate)} rec/s` : ''}
        {p.error ? <span className="warn"> — {p.error.message}</span> : null}
      </div>
      {p.opened ? <OpenedFacts facts={p.opened} /> : null}
      <div className="progress" role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="scan-actions">
        {p.state === 'running' ? (
          <button type="button" onClick={props.onCancel} data-testid="scan-cancel">
            Cancel
          </button>
        ) : null}
        {p.resumable ? (
          <button type="button" className="primary" onClick={props.onResume} data-testid="scan-resume">
            Resume
          </button>
        ) : null}
        {p.state !== 'running' ? (
          <button type="button" className="ghost" onClick={props.onClose}>
            Close
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** Why sections stayed locked, in a few words (the detail pane and Decrypt give the full sentence). */
const LOCK_WORDS: Record<string, string> = {
  access_denied: 'KMS denied this identity',
  key_not_found: 'key not found',
  no_credentials: 'no credentials',
  sso_expired: 'SSO session expired',
  kms_unreachable: 'KMS unreachable',
  no_local_key: 'no local key',
  tampered: 'failed authentication',
  forgotten: 'forgotten people',
  subject_key_missing: 'subject key not held (keys topic)',
  unknown: 'unknown reason',
};

/** What an opened-field scan searched, and how many records it could not search because the identity cannot open them. */
function OpenedFacts(props: { facts: NonNullable<ScanProgress['opened']> }) {
  const { searched, locked, lockedBy } = props.facts;
  const reasons = Object.entries(lockedBy)
    .map(([code, n]) => `${LOCK_WORDS[code] ?? code}: ${formatCount(n ?? 0)} section${n === 1 ? '' : 's'}`)
    .join(', ');
  return (
    <div className="scan-text" data-testid="scan-opened">
      Searched the opened sections of {formatCount(searched)} record{searched === 1 ? '' : 's'}.
      {locked > 0 ? (
        <span className="warn" data-testid="scan-locked" data-locked={locked}>
          {' '}
          {formatCount(locked)} record{locked === 1 ? '' : 's'} could not be searched: locked ({reasons}).
        </span>
      ) : null}
    </div>
  );
}
