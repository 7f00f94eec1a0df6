import type { ServiceState } from '../../../shared/console-api/service-types.js';
import { serviceLabel } from './use-service-state.js';

/** Top-bar chips: which ingest services the console is signed in to, and a warning when audit reports fail. */
export function ServiceChip(props: { state: ServiceState | null; onOpen(): void }) {
  const connected = props.state?.connected ?? [];
  const failure = props.state?.audit.lastFailure;
  const one = connected.length === 1 ? connected[0] : undefined;
  const text = one
    ? `● service ${serviceLabel(one)} · ${one.session.identity.roles.join(', ')}`
    : connected.length > 1
      ? `● ${connected.length} services · ${connected.map(serviceLabel).join(', ')}`
      : '○ no service';
  return (
    <>
      <button type="button" className={`chip chip-button ${connected.length ? 'chip-ok' : 'chip-off'}`} onClick={props.onOpen} data-testid="service-chip" title="Ingest service connections">
        {text}
      </button>
      {failure ? (
        <button type="button" className="chip chip-button chip-warn" onClick={props.onOpen} data-testid="audit-warning" title={failure.message}>
          ⚠ {failure.action} not audited ({failure.code})
        </button>
      ) : null}
    </>
  );
}
