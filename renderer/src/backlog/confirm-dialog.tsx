import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ErrorBanner } from '../common/error-banner.js';

/**
 * A modal that asks before an operator action, optionally with a typed reason (required for anything
 * destructive: it goes to the audit trail with the action). Escape or Cancel closes it; the confirm
 * button stays disabled until a required reason is typed, and while `blocked` says why it cannot go yet.
 * When `onConfirm` resolves to `{ show }` (what the action did), the dialog shows that with a single Close
 * instead of closing at once.
 */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  reason?: { label: string; required: boolean; placeholder?: string };
  /** Why the action cannot be confirmed yet (shown under the body); the confirm button stays disabled. */
  blocked?: string | null;
  onConfirm(reason: string): Promise<void | { show: ReactNode }>;
  onClose(): void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<ReactNode | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const { onClose } = props;
  useEffect(() => {
    input.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const missing = Boolean(props.reason?.required) && reason.trim() === '';
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await props.onConfirm(reason.trim());
      if (answer && 'show' in answer) setDone(answer.show);
      else props.onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  if (done !== null) {
    return (
      <div className="modal-backdrop" role="presentation">
        <div className="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" data-testid="confirm-dialog">
          <h2 id="confirm-title">{props.title}</h2>
          <div className="modal-body" data-testid="confirm-done">
            {done}
          </div>
          <div className="actions modal-actions">
            <button type="button" className="primary" onClick={props.onClose} data-testid="confirm-close">
              Close
            </button>
          </div>
        </div>
      </div>
    );
  }
  return (
    <div className="modal-backdrop" role="presentation">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" data-testid="confirm-dialog">
        <h2 id="confirm-title">{props.title}</h2>
        <div className="modal-body">{props.children}</div>
        {props.blocked ? (
          <p className="hint modal-blocked" data-testid="confirm-blocked">
            {props.blocked}
          </p>
        ) : null}
        {props.reason ? (
          <label className="modal-reason">
            <span>
              {props.reason.label} {props.reason.required ? <span className="hint">required, kept in the audit trail</span> : <span className="hint">optional</span>}
            </span>
            <textarea ref={input} rows={3} value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} placeholder={props.reason.placeholder} data-testid="confirm-reason" />
          </label>
        ) : null}
        <ErrorBanner error={error} />
        <div className="actions modal-actions">
          <button type="button" onClick={props.onClose} disabled={busy} data-testid="confirm-cancel">
            Cancel
          </button>
          <button type="button" className={props.danger ? 'danger' : 'primary'} disabled={busy || missing || Boolean(props.blocked)} onClick={() => void confirm()} data-testid="confirm-ok">
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
