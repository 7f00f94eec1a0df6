import { useState } from 'react';
import type { ServiceConnectionView, ServiceState } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import '../backlog/backlog.css';
import { ServiceCard } from './service-card.js';
import { formFrom, ServiceSignInForm, type ServiceForm } from './service-form.js';
import { serviceLabel } from './use-service-state.js';

/**
 * The fleet of ingest services: each signed in to on its own (the operator's AWS profile, or the
 * local admin token on that server), who each service says we are, the services remembered but not
 * signed in to now, and the form that adds one.
 */
export function ServicePage(props: { state: ServiceState | null; onState(s: ServiceState): void }) {
  const st = props.state;
  const [prefill, setPrefill] = useState<{ form: ServiceForm; at: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const connected = st?.connected ?? [];
  const idle = (st?.saved ?? []).filter((s) => !connected.some((c) => c.url === s.url));

  const disconnect = async (service: string, forget: boolean) => {
    setError(null);
    try {
      props.onState(await api.disconnectService({ service, forget }));
    } catch (err) {
      setError(err);
    }
  };
  const use = (s: ServiceConnectionView) => setPrefill({ form: formFrom(s), at: Date.now() });

  return (
    <section className="page page-narrow">
      <h1>Ingest services</h1>
      {st?.audit.lastFailure ? (
        <div className="banner banner-warn" role="status" data-testid="audit-report-warning">
          <div className="banner-text">
            <strong>A {st.audit.lastFailure.action} was not recorded in the service's audit trail.</strong> {st.audit.lastFailure.message}
            <span className="banner-code">{st.audit.lastFailure.code}</span>
          </div>
        </div>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {connected.map((c) => (
        <ServiceCard key={c.url} c={c} auditTarget={c.url === st?.auditService} onDisconnect={(forget) => void disconnect(c.url, forget)} />
      ))}
      {connected.length ? (
        <p className="muted small" data-testid="audit-report-count">
          Audit reports of this console's decryptions and exports go to {st?.auditService}: {st?.audit.reported ?? 0} recorded, {st?.audit.failed ?? 0} failed,{' '}
          {st?.audit.queued ?? 0} waiting.
        </p>
      ) : null}
      {idle.length ? (
        <div className="panel" data-testid="saved-services">
          <h2>Remembered, not signed in</h2>
          <ul className="saved-list">
            {idle.map((s) => (
              <li key={s.url}>
                <span className="mono">{serviceLabel(s)}</span>
                <span className="muted small mono">{s.url}</span>
                <span className="muted small">{s.auth === 'aws' ? `AWS profile ${s.profile ?? ''}` : s.tokenSaved ? 'local token saved' : 'local token'}</span>
                <span className="spacer" />
                <button type="button" className="small" onClick={() => use(s)}>
                  Sign in…
                </button>
                <button type="button" className="small ghost" onClick={() => void disconnect(s.url, true)}>
                  Forget
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <h2>{connected.length ? 'Add a service, or sign in again' : 'Sign in to a service'}</h2>
      <ServiceSignInForm state={st} prefill={prefill} onState={props.onState} />
    </section>
  );
}
