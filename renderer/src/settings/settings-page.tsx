import { useEffect, useState } from 'react';
import type { PublicSettings } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';

/** Where the keys topic in use comes from, in words. */
function keysTopicOrigin(s: PublicSettings): string {
  if (s.subjectKeysTopicFrom === 'settings') return 'set here';
  if (s.subjectKeysTopicFrom === 'service') return `from the signed-in service ${s.subjectKeysTopicService ?? ''}`.trim();
  return 'the default: no service signed in tells its own';
}

/** Where the console finds keys and policy, and the ingest service. No secret is ever shown or typed here. */
export function SettingsPage(props: { settings: PublicSettings | null; onSaved(s: PublicSettings): void }) {
  // Read afresh when the page opens: the keys topic in use follows the services signed in to since.
  const [fresh, setFresh] = useState<PublicSettings | null>(null);
  useEffect(() => {
    void api.getSettings().then(setFresh, () => undefined);
  }, []);
  const s = fresh ?? props.settings;
  const [localKeysDir, setLocalKeysDir] = useState('');
  const [blindIndexKeyFile, setBlindIndexKeyFile] = useState('');
  const [policyFile, setPolicyFile] = useState('');
  const [ingestUrl, setIngestUrl] = useState('');
  const [subjectKeysTopic, setSubjectKeysTopic] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setLocalKeysDir(s?.localKeysDir ?? '');
    setBlindIndexKeyFile(s?.blindIndexKeyFile ?? '');
    setPolicyFile(s?.policyFile ?? '');
    setIngestUrl(s?.ingestUrl ?? '');
    setSubjectKeysTopic(s?.subjectKeysTopicSet ?? '');
  }, [s]);

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      const next = await api.setSettings({
        localKeysDir: localKeysDir.trim() || null,
        blindIndexKeyFile: blindIndexKeyFile.trim() || null,
        policyFile: policyFile.trim() || null,
        ingestUrl: ingestUrl.trim() || null,
        subjectKeysTopic: subjectKeysTopic.trim() || null,
      });
      setFresh(next);
      props.onSaved(next);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="page page-narrow">
      <h1>Settings</h1>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {saved ? <div className="banner banner-ok">Saved.</div> : null}
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          <span>
            Local key folder <span className="hint">the ingest service's dataDir/keys: department keys and the blind-index key</span>
          </span>
          <input value={localKeysDir} onChange={(e) => setLocalKeysDir(e.target.value)} placeholder="/var/lib/sealpost/keys" className="mono" data-testid="settings-keys-dir" />
        </label>
        <label>
          <span>
            Blind-index key file{' '}
            <span className="hint">
              optional; defaults to the folder's blind-index.kms-wrapped.json (unwrapped with the &quot;Decrypt as&quot; AWS profile), else its blind-index.hmac.key
            </span>
          </span>
          <input value={blindIndexKeyFile} onChange={(e) => setBlindIndexKeyFile(e.target.value)} className="mono" />
        </label>
        <label>
          <span>
            Sealing policy file <span className="hint">YAML or JSON; empty = the embedded default policy</span>
          </span>
          <input value={policyFile} onChange={(e) => setPolicyFile(e.target.value)} className="mono" />
        </label>
        <label>
          <span>
            Subject keys topic{' '}
            <span className="hint">
              the compacted topic the ingest service keeps subject keys in (v2 records, forgotten people); empty = the signed-in service&apos;s, else
              sealpost.subject-keys
            </span>
          </span>
          <input
            value={subjectKeysTopic}
            onChange={(e) => setSubjectKeysTopic(e.target.value)}
            placeholder={s?.subjectKeysTopic ?? 'sealpost.subject-keys'}
            className="mono"
            data-testid="settings-keys-topic"
          />
          {s ? (
            <span className="hint" data-testid="settings-keys-topic-used" data-from={s.subjectKeysTopicFrom}>
              In use: <span className="mono">{s.subjectKeysTopic}</span> ({keysTopicOrigin(s)})
            </span>
          ) : null}
        </label>
        <label>
          Ingest service URL
          <input value={ingestUrl} onChange={(e) => setIngestUrl(e.target.value)} placeholder="https://ingest.internal:8443" className="mono" />
        </label>
        <p className="muted">
          Saved passwords are {s?.secretsEncrypted ? 'encrypted by your operating system keychain' : 'not kept: no OS keychain is available on this machine'}.
        </p>
        <div className="actions">
          <button type="submit" className="primary" data-testid="settings-save">
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
