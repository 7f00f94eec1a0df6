import { useState } from 'react';
import type { ConnectedService, ForgetResponse } from '../../../shared/console-api/service-types.js';
import { isAddress } from '../../../shared/policy/split-event.js';
import { api } from '../api/client.js';
import { ConfirmDialog } from '../backlog/confirm-dialog.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';
import { serviceLabel } from '../service/use-service-state.js';
import { useAffectedCount, type AffectedCount } from './use-affected-count.js';
import '../backlog/backlog.css';
import './forget.css';

/** What the operator forgets from: a record (its recipient's blind index is known, maybe its address) or a recipient search. */
export interface ForgetTarget {
  /** The address as far as the console knows it (an opened section, the search box); empty: the operator types it. */
  address: string;
  /** The record's recipient blind index: the typed address must be this person's. Null from a search. */
  recipient: string | null;
}

/** The count as a sentence: exact when the scan read the whole topic, "at least" when its budget ran out. */
function countText(topic: string, c: AffectedCount): string {
  const read = `read ${formatCount(c.scanned)} of ${formatCount(c.total)} records`;
  if (c.state === 'counting') return `Counting this person's records on ${topic}… ${read}`;
  const n = `${formatCount(c.matched)} record${c.matched === 1 ? '' : 's'}`;
  if (c.atLeast) return `At least ${n} of this person on ${topic} (${read} within the counting budget; there may be more).`;
  return `${n} of this person on ${topic} (the whole topic was read).`;
}

/** Why the confirm button waits: no address yet, still counting, or an address that is not this record's recipient. */
function blockedBy(address: string, target: ForgetTarget, c: AffectedCount): string | null {
  if (!isAddress(address)) return 'Type the e-mail address of the person to forget.';
  if (c.state !== 'counted') return 'Counting the records affected…';
  if (target.recipient && c.recipient && c.recipient !== target.recipient) return "This address is not this record's recipient (its blind index differs): check the spelling.";
  if (target.recipient && c.matched === 0 && !c.atLeast && !c.error) return "No record of this address on the topic, so it is not this record's recipient: check the spelling.";
  return null;
}

/** The service's answer, as the operator keeps it for the request they are closing. */
function Answer(props: { answer: ForgetResponse; service: string }) {
  const a = props.answer;
  return (
    <div data-testid="forget-answer">
      <p>
        <strong>Forgotten at {a.forgottenAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</strong> by {props.service}.
      </p>
      <p data-testid="forget-keys">
        {a.keysTombstoned === 0
          ? 'No subject key of this person was left to tombstone (none was ever made, or they were already forgotten); the forget is recorded all the same.'
          : `${formatCount(a.keysTombstoned)} subject key${a.keysTombstoned === 1 ? '' : 's'} tombstoned, of ${a.departments.join(', ')}.`}
      </p>
      <p className="muted small">
        Blind index <span className="mono">{a.subject}</span>. Their sealed fields now read "forgotten on {a.forgottenAt.slice(0, 10)}" everywhere; the clear part stays.
      </p>
    </div>
  );
}

/**
 * Confirming *Forget this person*: how many records of theirs the topic holds (a budgeted recipient
 * search), which service does it, a required reason, then the service's answer. `onForgotten` lets the
 * page refresh that person's rows.
 */
export function ForgetDialog(props: { topic: string; profile: string; service: ConnectedService; target: ForgetTarget; onForgotten(a: ForgetResponse): void; onClose(): void }) {
  const { topic, profile, service, target } = props;
  const [address, setAddress] = useState(target.address);
  const typed = address.trim();
  const count = useAffectedCount({ topic, profile, address: isAddress(typed) ? typed : null });
  const label = serviceLabel(service);
  return (
    <ConfirmDialog
      title="Forget this person"
      confirmLabel="Forget for good"
      danger
      blocked={blockedBy(typed, target, count)}
      reason={{ label: 'Why', required: true, placeholder: 'e.g. erasure request DSR-2026-0042 (a reference, not the address)' }}
      onConfirm={async (reason) => {
        const answer = await api.forgetSubject({ service: service.url, address: typed, reason });
        props.onForgotten(answer);
        return { show: <Answer answer={answer} service={label} /> };
      }}
      onClose={props.onClose}
    >
      <p>
        Every subject key of this person is tombstoned by <strong>{label}</strong>: none of their sealed fields can be opened again, in any copy of the topic. The clear part and the blind index
        remain. This cannot be undone.
      </p>
      <label className="modal-reason">
        <span>
          Address <span className="hint">{target.recipient ? "this record's recipient; the service keeps only its blind index" : 'the service keeps only its blind index'}</span>
        </span>
        <input type="email" value={address} onChange={(e) => setAddress(e.target.value)} autoComplete="off" className="mono" data-testid="forget-address" />
      </label>
      {count.state !== 'idle' ? (
        <p data-testid="forget-count" data-state={count.state} data-matched={count.matched} data-at-least={count.atLeast}>
          {countText(topic, count)}
        </p>
      ) : null}
      <ErrorBanner error={count.error} />
    </ConfirmDialog>
  );
}
