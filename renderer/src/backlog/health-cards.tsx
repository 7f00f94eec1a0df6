import type { StatusResponse } from '../../../shared/console-api/service-types.js';
import { formatCount, formatTime } from '../common/format.js';
import { formatAge, formatRate } from './series.js';

/** The few numbers an on-call operator looks at first: backlog and its age, rates, Kafka, KMS, dead letters. */
export function HealthCards(props: { status: StatusResponse }) {
  const s = props.status;
  const accept = s.sources.reduce((n, x) => n + x.acceptRate, 0);
  const forward = s.sources.reduce((n, x) => n + x.forwardRate, 0);
  const fw = s.kafka.forwarder;
  const reasons = Object.entries(s.deadLetters.byReason);
  return (
    <div className="cards" data-testid="health-cards">
      <div className={`card ${s.journal.pendingTotal > 0 ? 'card-warn' : 'card-ok'}`}>
        <div className="card-label" title="journal entries (requests) not yet in Kafka">Backlog</div>
        <div className="card-value" data-testid="backlog-pending">
          {formatCount(s.journal.pendingTotal)}
        </div>
        <div className="card-sub">
          entries not yet in Kafka · oldest waiting <strong data-testid="backlog-oldest">{formatAge(s.journal.oldestPendingAgeSeconds)}</strong>
        </div>
        {s.journal.unavailable ? <div className="card-sub bad">journal refuses writes: {s.journal.unavailable}</div> : null}
      </div>
      <div className="card">
        <div className="card-label">Events/s over {s.windowSeconds} s</div>
        <div className="card-value card-value-pair">
          <span title="accepted (journaled, answered 2xx)" data-testid="accept-rate">
            {formatRate(accept)}
          </span>
          <span className="muted">→</span>
          <span title="forwarded (acknowledged by Kafka)" data-testid="forward-rate">
            {formatRate(forward)}
          </span>
        </div>
        <div className="card-sub">accepted → forwarded</div>
      </div>
      <div className={`card ${!s.kafka.configured ? '' : s.kafka.healthy ? 'card-ok' : 'card-bad'}`} data-testid="kafka-card" data-healthy={String(s.kafka.healthy)}>
        <div className="card-label">Kafka</div>
        <div className="card-value">{!s.kafka.configured ? 'not configured' : s.kafka.healthy ? '✓ healthy' : '✗ unreachable'}</div>
        <div className="card-sub">
          {fw ? (
            <>
              forwarder {fw.state}
              {fw.consecutiveFailures ? ` · ${fw.consecutiveFailures} failed attempt${fw.consecutiveFailures === 1 ? '' : 's'}` : ''}
              {fw.lastSuccessAt ? ` · last success ${formatTime(fw.lastSuccessAt).slice(11)}` : ''}
            </>
          ) : (
            'no forwarder: events stay in the journal'
          )}
        </div>
        {fw?.lastError && !s.kafka.healthy ? (
          <div className="card-sub bad" title={fw.lastError.message}>
            {fw.lastError.code} ({fw.lastError.stage})
          </div>
        ) : null}
      </div>
      <div className={`card ${s.kms.healthy ? 'card-ok' : 'card-bad'}`} data-testid="kms-card">
        <div className="card-label">Sealing keys ({s.kms.mode === 'local' ? 'local keys' : s.kms.mode === 'kms' ? 'AWS KMS' : 'local + KMS'})</div>
        <div className="card-value">{s.kms.healthy ? '✓ healthy' : '✗ failing'}</div>
        <div className="card-sub">{s.kms.lastError ? <span title={s.kms.lastError.message}>{s.kms.lastError.code}</span> : 'sealing works'}</div>
      </div>
      <div className={`card ${s.deadLetters.open > 0 ? 'card-warn' : ''}`} data-testid="dead-letter-card">
        <div className="card-label">Dead letters (open)</div>
        <div className="card-value">{formatCount(s.deadLetters.open)}</div>
        <div className="card-sub">{reasons.length ? reasons.map(([r, n]) => `${r} ${formatCount(n)}`).join(' · ') : 'none'}</div>
      </div>
    </div>
  );
}
