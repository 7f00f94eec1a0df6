import type { ConnectedService } from '../../../shared/console-api/service-types.js';
import { formatTime } from '../common/format.js';
import { serviceLabel } from './use-service-state.js';

/** One service of the fleet the console is signed in to: who the service says we are there, and sign out. */
export function ServiceCard(props: { c: ConnectedService; auditTarget: boolean; onDisconnect(forget: boolean): void }) {
  const { c } = props;
  return (
    <div className="panel whoami" data-testid="whoami" data-service={c.url}>
      <div className="whoami-head">
        <h2>
          Signed in to <span className="mono">{serviceLabel(c)}</span>
        </h2>
        {props.auditTarget ? (
          <span className="chip" title="This console's decryptions and exports are reported to this service's audit trail">
            audit reports
          </span>
        ) : null}
        <span className="spacer" />
        <button type="button" onClick={() => props.onDisconnect(false)} data-testid="service-disconnect">
          Disconnect
        </button>
        <button type="button" className="ghost" onClick={() => props.onDisconnect(true)} data-testid="service-forget">
          Forget
        </button>
      </div>
      <dl className="facts">
        <dt>Service</dt>
        <dd className="mono">{c.url}</dd>
        <dt>Identity</dt>
        <dd className="mono wrap" data-testid="whoami-arn">
          {c.session.identity.arn}
        </dd>
        <dt>Account</dt>
        <dd>{c.session.identity.account ?? '—'}</dd>
        <dt>Roles</dt>
        <dd data-testid="whoami-roles">{c.session.identity.roles.join(', ') || 'none'}</dd>
        <dt>Signed in with</dt>
        <dd>{c.session.via === 'aws' ? `AWS profile ${c.profile ?? ''}` : 'local admin token (loopback only)'}</dd>
        <dt>Session ends</dt>
        <dd>{c.session.expiresAt ? `${formatTime(Date.parse(c.session.expiresAt))} (signed again automatically)` : 'never (local token)'}</dd>
      </dl>
      <div className="perm-list">
        {c.session.permissions.map((p) => (
          <span key={p} className="perm">
            {p}
          </span>
        ))}
      </div>
    </div>
  );
}
