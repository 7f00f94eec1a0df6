import { useEffect, useState } from 'react';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { ServiceState } from '../../../shared/console-api/service-types.js';
import type { ProfileInfo } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatTime } from '../common/format.js';
import '../backlog/backlog.css';

interface Form {
  url: string;
  serverId: string;
  auth: 'token' | 'aws';
  token: string;
  profile: string;
  region: string;
  stsEndpoint: string;
  ca: string;
  remember: boolean;
}

const EMPTY: Form = { url: 'http://127.0.0.1:8788', serverId: '', auth: 'token', token: '', profile: '', region: '', stsEndpoint: '', ca: '', remember: true };

function toArgs(f: Form): ArgsIn<'service:connect'> {
  return {
    url: f.url.trim(),
    ...(f.serverId.trim() ? { serverId: f.serverId.trim() } : {}),
    ...(f.ca.trim() ? { ca: f.ca } : {}),
    auth:
      f.auth === 'aws'
        ? { kind: 'aws', profile: f.profile, ...(f.region.trim() ? { region: f.region.trim() } : {}), ...(f.stsEndpoint.trim() ? { stsEndpoint: f.stsEndpoint.trim() } : {}) }
        : { kind: 'token', ...(f.token.trim() ? { token: f.token.trim() } : {}) },
    remember: f.remember,
  };
}

/**
 * The ingest service's admin API: where it is and how to sign in (the operator's AWS profile, or the
 * local admin token on the server itself), then who the service says we are. Tokens go to main once
 * and never come back.
 */
export function ServicePage(props: { state: ServiceState | null; onState(s: ServiceState): void }) {
  const st = props.state;
  const [form, setForm] = useState<Form>(EMPTY);
  const [profiles, setProfiles] = useState<ProfileInfo[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const saved = st?.saved ?? null;

  useEffect(() => {
    void api.listProfiles().then((p) => setProfiles(p.filter((x) => x.kind === 'aws')), () => setProfiles([]));
  }, []);
  // Prefill once from the remembered connection.
  useEffect(() => {
    if (!saved) return;
    setForm((f) =>
      f.serverId || f.profile || f.url !== EMPTY.url
        ? f
        : { ...f, url: saved.url, serverId: saved.serverId ?? '', auth: saved.auth, profile: saved.profile ?? '', region: saved.region ?? '', stsEndpoint: saved.stsEndpoint ?? '' },
    );
  }, [saved]);

  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      props.onState(await api.connectService(toArgs(form)));
      setForm((f) => ({ ...f, token: '' }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const disconnect = async (forget: boolean) => {
    setError(null);
    try {
      props.onState(await api.disconnectService({ forget }));
      if (forget) setForm(EMPTY);
    } catch (err) {
      setError(err);
    }
  };

  const c = st?.connected;
  const savedToken = saved?.auth === 'token' && saved.tokenSaved && saved.url === form.url.trim();
  return (
    <section className="page page-narrow">
      <h1>Ingest service</h1>
      {c ? (
        <div className="panel whoami" data-testid="whoami">
          <div className="whoami-head">
            <h2>
              Signed in to <span className="mono">{c.session.serverId ?? c.url}</span>
            </h2>
            <span className="spacer" />
            <button type="button" onClick={() => void disconnect(false)} data-testid="service-disconnect">
              Disconnect
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
      ) : null}
      {st?.audit.lastFailure ? (
        <div className="banner banner-warn" role="status" data-testid="audit-report-warning">
          <div className="banner-text">
            <strong>A {st.audit.lastFailure.action} was not recorded in the service's audit trail.</strong> {st.audit.lastFailure.message}
            <span className="banner-code">{st.audit.lastFailure.code}</span>
          </div>
        </div>
      ) : null}
      {c ? (
        <p className="muted small">
          Audit reports of this console's decryptions and exports: {st?.audit.reported ?? 0} recorded, {st?.audit.failed ?? 0} failed, {st?.audit.queued ?? 0} waiting.
        </p>
      ) : null}
      <ErrorBanner error={error} onRetry={() => void connect()} onDismiss={() => setError(null)} />
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <div className="row">
          <label>
            <span>
              Admin URL <span className="hint">the service's admin listener (default port 8788)</span>
            </span>
            <input value={form.url} onChange={(e) => set('url', e.target.value)} required className="mono" data-testid="service-url" />
          </label>
          <label className="narrow-label">
            <span>
              Server id <span className="hint">admin.serverId</span>
            </span>
            <input value={form.serverId} onChange={(e) => set('serverId', e.target.value)} className="mono" placeholder="ingest-eu-1" data-testid="service-server-id" />
          </label>
        </div>
        <div className="row checks">
          <label className="check">
            <input type="radio" name="service-auth" checked={form.auth === 'aws'} onChange={() => set('auth', 'aws')} data-testid="service-auth-aws" /> Sign in with my AWS profile
          </label>
          <label className="check">
            <input type="radio" name="service-auth" checked={form.auth === 'token'} onChange={() => set('auth', 'token')} data-testid="service-auth-token" /> Local admin token
          </label>
        </div>
        {form.auth === 'aws' ? (
          <>
            <div className="row">
              <label>
                AWS profile
                <select value={form.profile} onChange={(e) => set('profile', e.target.value)} data-testid="service-profile">
                  <option value="">Choose a profile…</option>
                  {profiles.map((p) => (
                    <option key={p.id} value={p.label}>
                      {p.label}
                      {p.credentials ? ` (${p.credentials})` : ''}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>
                  Region <span className="hint">optional: sign for the regional STS endpoint</span>
                </span>
                <input value={form.region} onChange={(e) => set('region', e.target.value)} placeholder="global" />
              </label>
            </div>
            <label>
              <span>
                STS endpoint <span className="hint">optional; must be on the server's allowlist (the console never calls it)</span>
              </span>
              <input value={form.stsEndpoint} onChange={(e) => set('stsEndpoint', e.target.value)} className="mono" placeholder="https://sts.amazonaws.com" />
            </label>
            <p className="muted small">Your credentials stay on this machine: the console signs an sts:GetCallerIdentity request that the service checks with AWS.</p>
          </>
        ) : (
          <label>
            <span>
              Local admin token{' '}
              <span className="hint">
                {savedToken ? 'saved (sealed by the OS keychain) — leave empty to use it' : 'printed by the service at first start; in dataDir/keys/admin-local.token'}
              </span>
            </span>
            <input type="password" value={form.token} onChange={(e) => set('token', e.target.value)} autoComplete="off" className="mono" data-testid="service-token" />
          </label>
        )}
        {form.url.trim().startsWith('https:') ? (
          <label>
            CA certificate of the admin listener (PEM, optional)
            <textarea rows={3} value={form.ca} onChange={(e) => set('ca', e.target.value)} className="mono" />
          </label>
        ) : null}
        <div className="row checks">
          <label className="check">
            <input type="checkbox" checked={form.remember} onChange={(e) => set('remember', e.target.checked)} /> Remember this service
            {form.auth === 'token' && st && !st.secretsEncrypted ? <span className="hint"> (no OS keychain: the token is not kept)</span> : null}
          </label>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || (form.auth === 'aws' && !form.profile)} data-testid="service-connect">
            {busy ? 'Signing in…' : c ? 'Sign in again' : 'Sign in'}
          </button>
          {saved ? (
            <button type="button" className="ghost" onClick={() => void disconnect(true)}>
              Forget saved service
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
