import type { ForgetAvailability } from './forget-availability.js';
import '../backlog/backlog.css';
import './forget.css';

/**
 * The *Forget this person* button: enabled only with a session that may forget (and a person to forget);
 * otherwise disabled with the reason written beside it, so nobody wonders why it does nothing.
 */
export function ForgetButton(props: { availability: ForgetAvailability; missing?: string | null; onClick(): void; where: string }) {
  const why = props.availability.reason ?? props.missing ?? null;
  return (
    <span className="forget-action" data-testid={`forget-${props.where}`}>
      <button type="button" className="small danger-ghost" disabled={Boolean(why)} title={why ?? 'Tombstone every subject key of this person (asks first)'} onClick={props.onClick} data-testid={`forget-${props.where}-button`}>
        Forget this person…
      </button>
      {props.availability.reason ? (
        <span className="hint forget-why" data-testid={`forget-${props.where}-why`}>
          {props.availability.reason}
        </span>
      ) : null}
    </span>
  );
}
