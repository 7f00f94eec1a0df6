import { useCallback, useEffect, useState } from 'react';
import type { ConnectResult, ProfileInfo, PublicSettings } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { AccessPage } from '../access/access-page.js';
import { ActivityPage } from '../activity/activity-page.js';
import { AuditPage } from '../audit/audit-page.js';
import { BacklogPage } from '../backlog/backlog-page.js';
import { ConnectionPage } from '../connection/connection-page.js';
import { MessagesPage } from '../messages/messages-page.js';
import { PartitionsPage } from '../partitions/partitions-page.js';
import { ServiceChip } from '../service/service-chip.js';
import { ServicePage } from '../service/service-page.js';
import { useServiceState } from '../service/use-service-state.js';
import { SettingsPage } from '../settings/settings-page.js';
import { SuppressionsPage } from '../suppressions/suppressions-page.js';
import { TopicsPage } from '../topics/topics-page.js';

export type Page = 'connect' | 'topics' | 'messages' | 'partitions' | 'access' | 'service' | 'backlog' | 'activity' | 'audit' | 'suppressions' | 'settings';

const NAV: { page: Page; label: string; needs: 'nothing' | 'connection' | 'topic' | 'service' }[] = [
  { page: 'connect', label: 'Connection', needs: 'nothing' },
  { page: 'topics', label: 'Topics', needs: 'connection' },
  { page: 'messages', label: 'Messages', needs: 'topic' },
  { page: 'partitions', label: 'Partitions & lag', needs: 'topic' },
  { page: 'access', label: 'Access matrix', needs: 'topic' },
  { page: 'service', label: 'Ingest service', needs: 'nothing' },
  { page: 'backlog', label: 'Backlog', needs: 'service' },
  { page: 'activity', label: 'Email activity', needs: 'service' },
  { page: 'audit', label: 'Audit', needs: 'service' },
  { page: 'suppressions', label: 'Suppressions', needs: 'service' },
  { page: 'settings', label: 'Settings', needs: 'nothing' },
];

/** The console: a sidebar of pages, a top bar with the cluster, topic and decrypting identity. */
export function App() {
  const [page, setPage] = useState<Page>('connect');
  const [conn, setConn] = useState<ConnectResult | null>(null);
  const [topic, setTopic] = useState<string | null>(null);
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [profiles, setProfiles] = useState<ProfileInfo[]>([]);
  const [profile, setProfile] = useState<string>('local');
  const service = useServiceState();

  const refreshProfiles = useCallback(async () => {
    try {
      setProfiles(await api.listProfiles());
    } catch {
      setProfiles([]);
    }
  }, []);

  useEffect(() => {
    void api.getSettings().then((s) => {
      setSettings(s);
      if (s.profile) setProfile(s.profile);
    });
    void refreshProfiles();
  }, [refreshProfiles]);

  const chooseProfile = (id: string) => {
    setProfile(id);
    void api.setSettings({ profile: id }).then(setSettings);
  };
  const openTopic = (name: string, target: Page = 'messages') => {
    setTopic(name);
    setPage(target);
  };
  const enabled = (needs: string) =>
    needs === 'nothing' || (needs === 'connection' && conn) || (needs === 'topic' && conn && topic) || (needs === 'service' && service.state?.connected.length);

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Pages">
        <div className="brand">
          <span className="brand-mark">◆</span> Sealpost
        </div>
        {NAV.map((n) => (
          <button
            key={n.page}
            type="button"
            className={`nav-item${page === n.page ? ' active' : ''}`}
            disabled={!enabled(n.needs)}
            onClick={() => setPage(n.page)}
            data-testid={`nav-${n.page}`}
          >
            {n.label}
          </button>
        ))}
      </nav>
      <div className="workspace">
        <header className="topbar">
          <span className={`chip ${conn ? 'chip-ok' : 'chip-off'}`} data-testid="connection-chip">
            {conn ? `● ${conn.connection} · ${conn.brokers.length} broker${conn.brokers.length === 1 ? '' : 's'}` : '○ not connected'}
          </span>
          {topic ? (
            <span className="chip" data-testid="topic-chip">
              topic <strong>{topic}</strong>
            </span>
          ) : null}
          <ServiceChip state={service.state} onOpen={() => setPage('service')} />
          <span className="spacer" />
          <label className="inline-label">
            Decrypt as
            <select value={profile} onChange={(e) => chooseProfile(e.target.value)} onFocus={() => void refreshProfiles()} data-testid="profile-select">
              {profiles.length === 0 ? <option value="local">Local keys</option> : null}
              {profiles.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.kind === 'aws' ? `AWS ${p.label}${p.credentials ? ` (${p.credentials})` : ''}` : p.label}
                </option>
              ))}
            </select>
          </label>
        </header>
        <main className="content">
          {page === 'connect' ? (
            <ConnectionPage
              settings={settings}
              connected={conn}
              onConnected={(c) => {
                setConn(c);
                setTopic(null);
                setPage('topics');
              }}
              onDisconnected={() => {
                setConn(null);
                setTopic(null);
              }}
              onSettings={setSettings}
            />
          ) : null}
          {page === 'topics' && conn ? <TopicsPage onOpen={openTopic} /> : null}
          {page === 'messages' && conn && topic ? <MessagesPage key={topic} topic={topic} profile={profile} service={service.state} /> : null}
          {page === 'partitions' && conn && topic ? <PartitionsPage key={topic} topic={topic} /> : null}
          {page === 'access' && conn && topic ? <AccessPage topic={topic} profile={profile} profiles={profiles} /> : null}
          {page === 'service' ? <ServicePage state={service.state} onState={service.set} /> : null}
          {page === 'backlog' && service.state?.connected.length ? <BacklogPage service={service.state} /> : null}
          {page === 'activity' && service.state?.connected.length ? <ActivityPage services={service.state.connected} profile={profile} kafka={Boolean(conn)} topic={topic} /> : null}
          {page === 'suppressions' && service.state?.connected.length ? <SuppressionsPage services={service.state.connected} profile={profile} /> : null}
          {page === 'audit' && service.state?.connected.length ? <AuditPage services={service.state.connected} profile={profile} /> : null}
          {page === 'settings' ? (
            <SettingsPage
              settings={settings}
              onSaved={(s) => {
                setSettings(s);
                void refreshProfiles();
              }}
            />
          ) : null}
        </main>
      </div>
    </div>
  );
}
