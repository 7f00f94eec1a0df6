import { useEffect, useState } from 'react';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { ConnectResult, PublicSettings, SavedConnectionView } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { splitList } from '../common/format.js';

type AuthKind = 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'msk-iam';

interface Form {
  name: string;
  brokers: string;
  tls: boolean;
  rejectUnauthorized: boolean;
  ca: string;
  auth: AuthKind;
  username: string;
  password: string;
  profile: string;
  region: string;
  remember: boolean;
}

const EMPTY: Form = { name: 'local', brokers: '127.0.0.1:9092', tls: false, rejectUnauthorized: true, ca: '', auth: 'none', username: '', password: '', profile: '', region: 'eu-west-1', remember: true };

function fromSaved(c: SavedConnectionView): Form {
  return {
    ...EMPTY,
    name: c.name,
    brokers: c.brokers.join(', '),
    tls: c.tls.enabled,
    rejectUnauthorized: c.tls.rejectUnauthorized,
    auth: c.auth.kind as AuthKind,
    username: c.auth.username ?? '',
    profile: c.auth.profile ?? '',
    region: c.auth.region ?? EMPTY.region,
  };
}

function toArgs(f: Form): ArgsIn<'console:connect'> {
  const auth =
    f.auth === 'none'
      ? { kind: 'none' as const }
      : f.auth === 'msk-iam'
        ? { kind: 'msk-iam' as const, profile: f.profile, region: f.region }
        : { kind: f.auth, username: f.username, ...(f.password ? { password: f.password } : {}) };
  return {
    connection: {
      name: f.name.trim(),
      brokers: splitList(f.brokers),
      tls: { enabled: f.tls || f.auth === 'msk-iam', rejectUnauthorized: f.rejectUnauthorized, ...(f.ca.trim() ? { ca: f.ca } : {}) },
      auth,
    },
    remember: f.remember,
  };
}

/** Kafka connections: brokers, TLS, SASL PLAIN/SCRAM or MSK IAM with an AWS profile; saved ones one click away. */
export function ConnectionPage(props: {
  settings: PublicSettings | null;
  connected: ConnectResult | null;
  onConnected(c: ConnectResult): void;
  onDisconnected(): void;
  onSettings(s: PublicSettings): void;
}) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  // AWS profiles from the user's config files, offered for MSK IAM.
  const [awsProfiles, setAwsProfiles] = useState<{ name: string; region?: string }[]>([]);
  useEffect(() => {
    api.listProfiles().then(
      (list) => setAwsProfiles(list.filter((p) => p.kind === 'aws').map((p) => ({ name: p.label, ...(p.region ? { region: p.region } : {}) }))),
      () => setAwsProfiles([]),
    );
  }, []);
  const saved = props.settings?.connections ?? [];

  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await api.connect(toArgs(form));
      setForm((f) => ({ ...f, password: '' }));
      props.onSettings(await api.getSettings());
      props.onConnected(c);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const sasl = form.auth === 'plain' || form.auth.startsWith('scram');
  const savedHasPassword = saved.find((c) => c.name === form.name)?.auth.hasPassword;

  return (
    <section className="page page-narrow">
      <h1>Connection</h1>
      {props.connected ? (
        <div className="banner banner-ok" data-testid="connected-banner">
          <div className="banner-text">
            Connected to <strong>{props.connected.connection}</strong> — cluster {props.connected.clusterId}, {props.connected.topicCount} topics, brokers{' '}
            {props.connected.brokers.map((b) => `${b.host}:${b.port}`).join(', ')}
          </div>
          <div className="banner-actions">
            <button type="button" onClick={() => void api.disconnect().then(props.onDisconnected)}>
              Disconnect
            </button>
          </div>
        </div>
      ) : null}
      <ErrorBanner error={error} onRetry={() => void connect()} onDismiss={() => setError(null)} />
      {saved.length ? (
        <div className="saved">
          <h2>Saved connections</h2>
          <div className="saved-list">
            {saved.map((c) => (
              <button key={c.name} type="button" className="saved-item" onClick={() => setForm(fromSaved(c))}>
                <strong>{c.name}</strong>
                <span className="muted">
                  {c.brokers.join(', ')} · {c.auth.kind}
                  {c.tls.enabled ? ' · TLS' : ''}
                  {c.auth.hasPassword ? ' · password saved' : ''}
                </span>
              </button>
            ))}
          </div>
        </div>
      ) : null}
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <label>
          Name
          <input value={form.name} onChange={(e) => set('name', e.target.value)} required data-testid="conn-name" />
        </label>
        <label>
          <span>
            Brokers <span className="hint">host:port, comma-separated</span>
          </span>
          <input value={form.brokers} onChange={(e) => set('brokers', e.target.value)} required data-testid="conn-brokers" />
        </label>
        <label>
          Authentication
          <select value={form.auth} onChange={(e) => set('auth', e.target.value as AuthKind)} data-testid="conn-auth">
            <option value="none">None</option>
            <option value="plain">SASL PLAIN</option>
            <option value="scram-sha-256">SASL SCRAM-SHA-256</option>
            <option value="scram-sha-512">SASL SCRAM-SHA-512</option>
            <option value="msk-iam">AWS MSK IAM (OAUTHBEARER)</option>
          </select>
        </label>
        {sasl ? (
          <div className="row">
            <label>
              User name
              <input value={form.username} onChange={(e) => set('username', e.target.value)} autoComplete="username" />
            </label>
            <label>
              <span>
                Password {savedHasPassword ? <span className="hint">saved — leave empty to use it</span> : null}
              </span>
              <input type="password" value={form.password} onChange={(e) => set('password', e.target.value)} autoComplete="current-password" />
            </label>
          </div>
        ) : null}
        {form.auth === 'msk-iam' ? (
          <div className="row">
            <label>
              AWS profile
              <input
                value={form.profile}
                list="aws-profiles"
                onChange={(e) => {
                  const name = e.target.value;
                  const region = awsProfiles.find((p) => p.name === name)?.region;
                  setForm((f) => ({ ...f, profile: name, ...(region ? { region } : {}) }));
                }}
                placeholder="ops-sso"
              />
              <datalist id="aws-profiles">
                {awsProfiles.map((p) => (
                  <option key={p.name} value={p.name} />
                ))}
              </datalist>
            </label>
            <label>
              Region
              <input value={form.region} onChange={(e) => set('region', e.target.value)} />
            </label>
          </div>
        ) : null}
        <div className="row checks">
          <label className="check">
            <input type="checkbox" checked={form.tls || form.auth === 'msk-iam'} disabled={form.auth === 'msk-iam'} onChange={(e) => set('tls', e.target.checked)} /> TLS
          </label>
          {form.tls || form.auth === 'msk-iam' ? (
            <label className="check">
              <input type="checkbox" checked={form.rejectUnauthorized} onChange={(e) => set('rejectUnauthorized', e.target.checked)} /> Verify certificates
              {!form.rejectUnauthorized ? <span className="warn"> — lab clusters only</span> : null}
            </label>
          ) : null}
          <label className="check">
            <input type="checkbox" checked={form.remember} onChange={(e) => set('remember', e.target.checked)} /> Remember
            {props.settings && !props.settings.secretsEncrypted && sasl ? <span className="hint"> (no OS keychain: the password is not saved)</span> : null}
          </label>
        </div>
        {form.tls ? (
          <label>
            Extra CA certificate (PEM, optional)
            <textarea rows={3} value={form.ca} onChange={(e) => set('ca', e.target.value)} />
          </label>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} data-testid="conn-submit">
            {busy ? 'Connecting…' : 'Connect'}
          </button>
        </div>
      </form>
    </section>
  );
}
