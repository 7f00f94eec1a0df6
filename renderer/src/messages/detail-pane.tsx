import { useEffect, useState } from 'react';
import type { DecryptedRow, MessageDetail } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatBytes, formatTime } from '../common/format.js';
import { ForgetButton } from '../forget/forget-button.js';
import type { ForgetAvailability } from '../forget/forget-availability.js';
import type { ForgetTarget } from '../forget/forget-dialog.js';
import { recipientAddress } from '../forget/recipient-address.js';
import { lockedCellText } from './columns.js';

/**
 * One record in full: Kafka coordinates and headers, the envelope's clear part, and each section (open or
 * why locked); for a record with a recipient, *Forget this person* (prefilled with the address when this
 * identity opened it).
 */
export function DetailPane(props: {
  topic: string;
  id: string;
  decrypted: DecryptedRow | undefined;
  forget: { availability: ForgetAvailability; onForget(target: ForgetTarget): void };
  onDecrypt(): void;
  onClose(): void;
}) {
  const [detail, setDetail] = useState<MessageDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setDetail(null);
    setError(null);
    api.messageDetail({ topic: props.topic, id: props.id }).then(
      (d) => live && setDetail(d),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [props.topic, props.id]);

  const env = detail?.envelope as { clear?: unknown; id?: string; type?: string; source?: string; kind?: string; time?: string; receivedAt?: string; policyVersion?: number; recipient?: string } | null | undefined;
  return (
    <aside className="detail" data-testid="detail-pane">
      <div className="detail-head">
        <h2>
          Record <span className="mono">{props.id}</span>
        </h2>
        <button type="button" className="ghost" onClick={props.onClose} aria-label="Close detail">
          ✕
        </button>
      </div>
      <ErrorBanner error={error} />
      {detail ? (
        <>
          <dl className="facts">
            <dt>Partition / offset</dt>
            <dd className="mono">
              {detail.partition} / {detail.offset}
            </dd>
            <dt>Kafka time</dt>
            <dd className="mono">{formatTime(detail.timestamp)}</dd>
            <dt>Key</dt>
            <dd className="mono">{detail.key ?? '—'}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(detail.sizeBytes)}</dd>
            {env ? (
              <>
                <dt>Event</dt>
                <dd>
                  <span className="mono">{env.id}</span> · {env.type} · {env.source} ({env.kind})
                </dd>
                <dt>Event time</dt>
                <dd className="mono">{env.time}</dd>
                <dt>Received</dt>
                <dd className="mono">{env.receivedAt}</dd>
                <dt>Policy version</dt>
                <dd>{env.policyVersion}</dd>
                <dt>Recipient index</dt>
                <dd className="mono wrap">{env.recipient ?? '—'}</dd>
              </>
            ) : null}
          </dl>
          {env?.recipient ? (
            <ForgetButton
              where="record"
              availability={props.forget.availability}
              onClick={() => props.forget.onForget({ address: recipientAddress(props.decrypted) ?? '', recipient: env.recipient ?? null })}
            />
          ) : null}
          {detail.problem ? <div className="banner banner-warn">{detail.problem}</div> : null}
          <h3>Headers</h3>
          <pre className="json">{JSON.stringify(detail.headers, null, 2)}</pre>
          {env ? (
            <>
              <h3>Clear part</h3>
              <pre className="json" data-testid="detail-clear">
                {JSON.stringify(env.clear, null, 2)}
              </pre>
            </>
          ) : null}
          <h3>Sections</h3>
          {detail.sections.length === 0 ? <p className="muted">No sealed section (nothing personal in this event, or a foreign record).</p> : null}
          {!props.decrypted && detail.sections.length ? (
            <button type="button" className="primary" onClick={props.onDecrypt} data-testid="detail-decrypt">
              Decrypt this record
            </button>
          ) : null}
          {detail.sections.map((s) => {
            const r = props.decrypted?.sections[s.department];
            return (
              <div key={s.department} className={`section-card ${r ? (r.state === 'open' ? 'open' : 'locked') : ''}`} data-testid={`section-${s.department}`}>
                <div className="section-head">
                  <strong>{s.department}</strong>
                  <span className="muted">{formatBytes(s.bytes)} sealed</span>
                  {r ? <span className={r.state === 'open' ? 'badge-open' : 'badge-locked'}>{r.state === 'open' ? 'open' : lockedCellText(r)}</span> : null}
                </div>
                {r?.state === 'open' ? (
                  <table className="fields">
                    <tbody>
                      {Object.entries(r.fields).map(([k, v]) => (
                        <tr key={k}>
                          <th className="mono">{k}</th>
                          <td className="mono wrap">{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
                {r?.state === 'locked' ? <p className="lock-reason">{r.message}</p> : null}
              </div>
            );
          })}
        </>
      ) : !error ? (
        <p className="muted">Loading…</p>
      ) : null}
    </aside>
  );
}
