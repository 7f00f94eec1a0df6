import { useState } from 'react';
import type { Timeline } from '../../../shared/console-api/activity-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount, formatTime, summarizeFields } from '../common/format.js';

/**
 * One person's mail, in order: the address goes to main, which turns it into the blind index (as the Messages
 * page's recipient search does) and reads only the partition that key lives on. Each event shows what the
 * operator's identity may open, section by section, and why the rest stays locked.
 */
export function TimelinePanel(props: { topics: string[]; defaultTopic: string | null; kafka: boolean; profile: string }) {
  const [topic, setTopic] = useState(props.defaultTopic ?? props.topics[0] ?? '');
  const [address, setAddress] = useState('');
  const [result, setResult] = useState<Timeline | null>(null);
  // What the shown timeline was searched for: 'search further back' continues that search, whatever the form says now.
  const [searched, setSearched] = useState<{ topic: string; address: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const search = async (before?: string) => {
    const q = before && searched ? searched : { topic, address };
    setBusy(true);
    setError(null);
    try {
      const r = await api.activityTimeline({ ...q, profile: props.profile, ...(before ? { before } : {}) });
      setSearched(q);
      setResult((prev) => (before && prev ? { ...r, events: [...r.events, ...prev.events].sort((a, b) => a.row.time - b.row.time), scanned: prev.scanned + r.scanned } : r));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel activity-panel timeline" data-testid="timeline">
      <h2>Recipient timeline</h2>
      {!props.kafka ? <p className="muted small">Connect to Kafka (Connection page) to read a person's events from the topic.</p> : null}
      <form
        className="timeline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label>
          Topic
          <input list="activity-topics" value={topic} onChange={(e) => setTopic(e.target.value)} className="mono" data-testid="timeline-topic" />
          <datalist id="activity-topics">
            {props.topics.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label className="wide">
          Address
          <input value={address} onChange={(e) => setAddress(e.target.value)} placeholder="person@example.com" autoComplete="off" data-testid="timeline-address" />
        </label>
        <button type="submit" className="primary" disabled={busy || !props.kafka || !topic || address.trim().length < 3} data-testid="timeline-search">
          {busy ? 'Searching…' : 'Show timeline'}
        </button>
      </form>
      <ErrorBanner error={error} />
      {result ? (
        <>
          <p className="small" data-testid="timeline-summary">
            <strong>{formatCount(result.events.length)}</strong> events · blind index <span className="mono">{result.recipient}</span> · partition {result.partition} · read{' '}
            {formatCount(result.scanned)} of {formatCount(result.partitionRecords)} records · opened as {result.identity}
            {!result.complete && result.nextBefore ? (
              <button type="button" className="link" onClick={() => void search(result.nextBefore!)} disabled={busy} data-testid="timeline-more">
                search further back
              </button>
            ) : null}
          </p>
          <div className="suppression-state" data-testid="timeline-suppression" data-available={String(result.suppression.available)}>
            <strong>Suppression state:</strong> {result.suppression.note}
          </div>
          <ol className="timeline-events">
            {result.events.map((e) => (
              <li key={e.row.id} data-testid="timeline-event" data-type={e.row.type}>
                <span className="mono small">{formatTime(e.row.time)}</span>
                <span className="tl-type">{e.row.type}</span>
                <span className="muted small">
                  {e.row.source}
                  {e.row.category ? ` · ${e.row.category}` : ''} · {e.row.id}
                </span>
                <span className="tl-sections">
                  {Object.entries(e.sections).map(([dept, s]) =>
                    s.state === 'open' ? (
                      <span key={dept} className="tl-open" data-testid="timeline-open">
                        <strong>{dept}</strong> {summarizeFields(s.fields)}
                      </span>
                    ) : (
                      <span key={dept} className="tl-locked" title={s.code} data-testid="timeline-locked">
                        <span className="lock-tag">locked</span> {dept}: {s.message}
                      </span>
                    ),
                  )}
                </span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </div>
  );
}
