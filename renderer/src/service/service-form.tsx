import { useEffect, useState } from 'react';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { ServiceConnectionView, ServiceState } from '../../../shared/console-api/service-types.js';
import type { ProfileInfo } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';

export interface ServiceForm {
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

export const EMPTY_FORM: ServiceForm = { url: 'http://127.0.0.1:8788', serverId: '', auth: 'token', token: '', profile: '', region: '', stsEndpoint: '', ca: '', remember: true };

/** A remembered connection as a filled-in form (no token, no CA: main keeps those for its URL). */
export function formFrom(v: ServiceConnectionView): ServiceForm {
  return { ...EMPTY_FORM, url: v.url, serverId: v.serverId ?? '', auth: v.auth, profile: v.profile ?? '', region: v.region ?? '', stsEndpoint: v.stsEndpoint ?? '' };
}

function toArgs(f: ServiceForm): ArgsIn<'service:connect'> {
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
 * Where one service is and how to sign in to it (the operator's AWS profile, or the local admin
 * token on the server itself). Signing in to a new URL adds it to the fleet; to a known one signs
 * in again. Tokens go to main once and never come back. `prefill` (a saved service picked) replaces
 * what is typed.
 */
export function ServiceSignInForm(props: { state: ServiceState | null; prefill: { form: ServiceForm; at: number } | null; onState(s: ServiceState): void }) {
  const st = props.state;
  const [form, setForm] = useState<ServiceForm>(EMPTY_FORM);
  const [profiles, setProfiles] = useState<ProfileInfo[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <K extends keyof ServiceForm>(k: K, v: ServiceForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  useEffect(() => {
    void api.listProfiles().then((p) => setProfiles(p.filter((x) => x.kind === 'aws')), () => setProfiles([]));
  }, []);
  useEffect(() => {
    if (props.prefill) setForm(props.prefill.form);
  }, [props.prefill]);

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

  const url = form.url.trim().replace(/\/+$/, '');
  const known = st?.connected.some((c) => c.url === url);
  const savedToken = form.auth === 'token' && st?.saved.some((s) => s.url === url && s.auth === 'token' && s.tokenSaved);
  return (
    <>
      <ErrorBanner error={error} onRetry={() => void connect()} onDismiss={() => setError(null)} />
      <form
        className="form"
        data-testid="service-form"
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
              <span className="hint">{savedToken ? 'saved (sealed by the OS keychain) — leave empty to use it' : "in the service's dataDir/keys/admin-local.token"}</span>
            </span>
            <input type="password" value={form.token} onChange={(e) => set('token', e.target.value)} autoComplete="off" className="mono" data-testid="service-token" />
          </label>
        )}
        {form.url.trim().startsWith('https:') ? (
          <label>
            <span>
              CA certificate of the admin listener <span className="hint">PEM, optional; empty keeps the one saved for this URL</span>
            </span>
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
            {busy ? 'Signing in…' : known ? 'Sign in again' : st?.connected.length ? 'Sign in and add to the fleet' : 'Sign in'}
          </button>
        </div>
      </form>
    </>
  );
}
