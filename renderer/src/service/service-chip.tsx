import type { ServiceState } from '../../../shared/console-api/service-types.js';

/** Top-bar chips: which ingest service the console is signed in to, and a warning when audit reports fail. */
export function ServiceChip(props: { state: ServiceState | null; onOpen(): void }) {
  const c = props.state?.connected;
  const failure = props.state?.audit.lastFailure;
  return (
    <>
      <button type="button" className={`chip chip-button ${c ? 'chip-ok' : 'chip-off'}`} onClick={props.onOpen} data-testid="service-chip" title="Ingest service connection">
        {c ? `● service ${c.session.serverId ?? c.url} · ${c.session.identity.roles.join(', ')}` : '○ no service'}
      </button>
      {failure ? (
        <button type="button" className="chip chip-button chip-warn" onClick={props.onOpen} data-testid="audit-warning" title={failure.message}>
          ⚠ {failure.action} not audited ({failure.code})
        </button>
      ) : null}
    </>
  );
}
