import { useCallback, useEffect, useState } from 'react';
import type { AccessMatrixView, ProfileInfo } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { LOCK_LABEL } from '../messages/columns.js';

const CELL_TEXT: Record<string, string> = { readable: 'can read', locked: 'locked', unproved: 'unproved', not_granted: '—' };

/**
 * For security reviewers: departments x fields for one profile. Access is proved by decrypting real
 * sections of this topic with the profile, never guessed from configuration; each department says why.
 */
export function AccessPage(props: { topic: string; profile: string; profiles: ProfileInfo[] }) {
  const [profile, setProfile] = useState(props.profile);
  const [matrix, setMatrix] = useState<AccessMatrixView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      setMatrix(await api.accessMatrix({ profile, topic: props.topic }));
    } catch (err) {
      setMatrix(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  }, [profile, props.topic]);
  useEffect(() => void load(), [load]);

  const departments = matrix?.departments.map((d) => d.department) ?? [];
  return (
    <section className="page page-scroll">
      <div className="page-head">
        <h1>Access matrix</h1>
        <label className="inline-label">
          Profile
          <select value={profile} onChange={(e) => setProfile(e.target.value)} data-testid="access-profile">
            {props.profiles.length === 0 ? <option value={profile}>{profile}</option> : null}
            {props.profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.kind === 'aws' ? `AWS ${p.label}` : p.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void load()} disabled={busy}>
          {busy ? 'Checking…' : 'Check again'}
        </button>
      </div>
      <ErrorBanner error={error} onRetry={() => void load()} />
      {matrix ? (
        <>
          <p className="muted">
            Identity <strong className="mono">{matrix.identity}</strong> · policy version {matrix.policyVersion} · checked {matrix.checkedAt} by decrypting sections of
            the newest records of <span className="mono">{props.topic}</span>.
          </p>
          <div className="dept-cards" data-testid="access-departments">
            {matrix.departments.map((d) => (
              <div key={d.department} className={`dept-card state-${d.access.state}`} data-testid={`dept-${d.department}`}>
                <div className="dept-head">
                  <strong>{d.department}</strong>
                  <span className={`state-badge state-${d.access.state}`}>
                    {d.access.state === 'readable' ? 'can decrypt' : d.access.state === 'locked' ? `locked: ${LOCK_LABEL[d.access.code] ?? 'unknown'}` : 'unproved'}
                  </span>
                </div>
                <div className="muted mono small">{d.keys.join(', ')}</div>
                <p className="reason">
                  {d.access.state === 'readable'
                    ? `Opened a ${d.department} section of event ${d.access.probe.envelopeId} (policy v${d.access.probe.policyVersion}).`
                    : d.access.message}
                </p>
                {d.keyPolicies.map((k) => (
                  <div key={k.keyId} className="small muted">
                    Key policy of <span className="mono">{k.keyId}</span>:{' '}
                    {k.unreadable ?? (k.grants?.map((g) => JSON.stringify(g)).join('; ') || 'no kms:Decrypt grant')}
                  </div>
                ))}
              </div>
            ))}
          </div>
          <table className="matrix" data-testid="access-matrix">
            <thead>
              <tr>
                <th>Source rule</th>
                <th>Field</th>
                {departments.map((d) => (
                  <th key={d}>{d}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {matrix.fields.map((f) => (
                <tr key={`${f.rule}/${f.field}`} className={f.readable ? 'row-readable' : ''}>
                  <td>{f.rule}</td>
                  <td className="mono">{f.field === '*' ? '* (every other personal field)' : f.field}</td>
                  {departments.map((d) => (
                    <td key={d} className={`cell-${f.cells[d] ?? 'not_granted'}`}>
                      {CELL_TEXT[f.cells[d] ?? 'not_granted']}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
