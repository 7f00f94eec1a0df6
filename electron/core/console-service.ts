import type { Admin } from 'kafkajs';
import type { ConsoleHandlers, ArgsOf } from '../../shared/console-api/index.js';
import type { DecryptedRow, MessageDetail, MessageRow, PublicSettings } from '../../shared/console-api/types.js';
import type { Envelope } from '../../shared/envelope/index.js';
import type { EnvelopeOpener, OpenOptions } from '../../shared/decrypt/types.js';
import { activityHandlers } from './activity/activity-handlers.js';
import { readTimeline } from './activity/timeline.js';
import { followKeysTopic, type KeysTopicFollower } from '../../shared/subject-keys/index.js';
import { createServiceModule, type ServiceChannel, type ServiceModuleOptions } from './admin/service-module.js';
import { describeKafkaError, notConnected } from './errors.js';
import { eventChannels, type EventChannel } from './events/event-channels.js';
import { groupHandlers, type GroupChannel } from './groups/group-handlers.js';
import { exportRecords } from './export/export-handler.js';
import { suppressionHandlers, type SuppressionChannel } from './suppressions/suppression-handlers.js';
import type { IdentityProvider } from './identity/identity.js';
import { LOCAL_PROFILE } from './identity/profile-identities.js';
import { createKafka, type KafkaConnection, type MskTokenSigner } from './kafka/kafka-client.js';
import { unsafeRawCluster, type RawCluster, type RawRecord } from './kafka/raw-fetch.js';
import { parseEnvelope } from './messages/decode-row.js';
import { messageDetail } from './messages/message-detail.js';
import { readWindow } from './messages/read-window.js';
import { createRecordCache, rowGone } from './messages/record-cache.js';
import { createScanRegistry } from './scan/scan-registry.js';
import { chooseKeysTopic } from './settings/keys-topic.js';
import type { SettingsStore } from './settings/settings-store.js';
import { groupLag, listTopics, offsetsAt, settleBoth, topicPartitions, watermarks } from './topics/topic-admin.js';

export interface ConsoleServiceDeps {
  settings: SettingsStore;
  identities: IdentityProvider;
  /**
   * The blind indexer for recipient search as `profile` (the identity the operator views as); throws
   * an error saying what to configure, or why that profile may not have the key.
   */
  blindIndex(profile: string): Promise<(address: string) => string>;
  /** Writes an export where the user chooses (Electron's save dialog); absent: the content is returned. */
  saveExport?(fileName: string, content: string): Promise<string | null>;
  mskSigner?: MskTokenSigner;
  /** The ingest service's admin API (issue 5): where its connection is kept; default memory only. */
  service?: ServiceModuleOptions;
  /** Errors we did not raise on purpose, for the log (never shown to the renderer as they are). */
  onUnexpected?(err: unknown, where: string): void;
}

interface Session {
  conn: KafkaConnection;
  admin: Admin;
  cluster: RawCluster;
  /** The keys topic as this connection reads it (starts on the first v2 section; closing zeroes opened subject keys). */
  keys: KeysTopicFollower;
  kafka: ReturnType<typeof createKafka>;
  /** Kafka calls running on this session; a disconnect lets them settle (bounded) before closing the clients. */
  calls: Set<Promise<unknown>>;
  closed: boolean;
}

/**
 * The console's Node side: every channel of the contract on parsed arguments, with no Electron in
 * sight, so Electron main and the browser-test bridge run exactly the same code. Kafka errors are
 * turned into errors a person can act on; memory stays bounded (windows, capped scans, LRU records).
 */
export function createConsoleService(deps: ConsoleServiceDeps): { handlers: ConsoleHandlers; close(): Promise<void> } {
  let session: Session | null = null;
  const records = createRecordCache();
  // Signing in to or out of a service can change the keys topic the connection follows (its subjectKeys.topic).
  const service = createServiceModule({ ...deps.service, onFleetChange: () => followKeys() });

  const need = (): Session => {
    if (!session) throw notConnected();
    return session;
  };
  /** Runs a Kafka call, mapping whatever it throws to an actionable error. */
  const kafkaCall = async <T>(fn: (s: Session) => Promise<T>, topic?: string): Promise<T> => {
    const s = need();
    const call = fn(s);
    s.calls.add(call);
    try {
      return await call;
    } catch (err) {
      throw describeKafkaError(err, { brokers: s.conn.brokers, ...(topic ? { topic } : {}) });
    } finally {
      s.calls.delete(call);
    }
  };
  /** The keys topic v2 sections open through: set in Settings, else the first signed-in service's, else the default. */
  const keysTopic = () => chooseKeysTopic(deps.settings.get().subjectKeysTopicSet, service.services());
  const publicSettings = (): PublicSettings => ({ ...deps.settings.get(), ...keysTopic() });
  /** The connection follows the keys topic chosen now (after Settings or the signed-in fleet changed); the old book and its opened keys go. */
  const followKeys = async (): Promise<void> => {
    const s = session;
    const topic = keysTopic().subjectKeysTopic;
    if (!s || s.keys.topic === topic) return;
    const old = s.keys;
    s.keys = followKeysTopic({ kafka: s.kafka, topic });
    await old.close().catch(() => undefined);
  };
  /** Who a search runs as: the profile the renderer names ("Decrypt as"), else the saved one, else local keys. */
  const viewer = (profile: string | undefined): string => profile ?? deps.settings.get().profile ?? LOCAL_PROFILE;
  /** Every open() goes through the session's keys topic: v2 sections, forgotten subjects (docs/forget.md). */
  const openOptions = (): OpenOptions => (session ? { subjectKeys: session.keys } : {});
  const withKeysTopic = (opener: EnvelopeOpener): EnvelopeOpener => ({ ...opener, open: (envelopes, options) => opener.open(envelopes, { ...openOptions(), ...options }) });
  /** The opener of `profile` for every reader of this connection (grid, scans, timeline, links). */
  const openerFor = async (profile: string): Promise<EnvelopeOpener> => withKeysTopic(await deps.identities.opener(profile));
  const remember = (topic: string, list: { row: MessageRow; raw: RawRecord }[]): void => {
    for (const r of list) records.put(topic, r.row.id, r.raw);
  };

  const scans = createScanRegistry({
    cluster: () => need().cluster,
    watermarks: (topic) => kafkaCall((s) => watermarks(s.admin, topic), topic),
    blindIndex: deps.blindIndex,
    onMatches: (topic, list) => remember(topic, list),
    opener: openerFor,
    // An opened-field scan decrypts every record it searches: each run is reported like a decryption.
    onOpenedRun: (run) => service.reportOpenedScan(run),
    onUnexpected: (err) => deps.onUnexpected?.(err, 'scan'),
  });

  const disconnect = async (): Promise<boolean> => {
    const s = session;
    session = null;
    await scans.cancelAll().catch(() => {});
    records.clear();
    if (!s) return false;
    // Calls still running (a topic list over thousands of topics) stop issuing requests and settle first:
    // a request sent after the admin client's disconnect would reconnect it and keep the process alive.
    s.closed = true;
    await Promise.race([Promise.allSettled([...s.calls]), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await Promise.allSettled([s.admin.disconnect(), s.cluster.disconnect(), s.keys.close()]);
    return true;
  };

  const envelopesFor = async (topic: string, ids: readonly string[]): Promise<Map<string, RawRecord>> =>
    kafkaCall((s) => records.get(s.cluster, topic, ids), topic);

  const decryptRows = async (topic: string, ids: readonly string[], profile: string): Promise<{ identity: string; rows: DecryptedRow[] }> => {
    const raws = await envelopesFor(topic, ids);
    const opener = await openerFor(profile);
    const order: string[] = [];
    const envelopes: Envelope[] = [];
    for (const id of ids) {
      const raw = raws.get(id);
      const env = raw ? parseEnvelope(raw.value).envelope : null;
      if (env) {
        order.push(id);
        envelopes.push(env);
      }
    }
    const [identity, opened] = await Promise.all([opener.identity(), envelopes.length ? opener.open(envelopes) : Promise.resolve([])]);
    return { identity, rows: opened.map((o, i) => ({ id: order[i]!, sections: o.sections })) };
  };

  const handlers: Omit<ConsoleHandlers, ServiceChannel | GroupChannel | SuppressionChannel | EventChannel> = {
    async 'console:connect'({ connection, remember: keep }) {
      await disconnect();
      const password = 'password' in connection.auth && connection.auth.password ? connection.auth.password : deps.settings.password(connection.name);
      const kafka = createKafka(connection, password, deps.mskSigner);
      const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 150 } });
      const cluster = unsafeRawCluster(kafka);
      try {
        await admin.connect();
        const [info, names] = await settleBoth(admin.describeCluster(), admin.listTopics());
        await cluster.connect();
        session = { conn: connection, admin, cluster, kafka, keys: followKeysTopic({ kafka, topic: keysTopic().subjectKeysTopic }), calls: new Set(), closed: false };
        if (keep) deps.settings.saveConnection(connection, password);
        return {
          connection: connection.name,
          clusterId: info.clusterId,
          controller: info.controller ?? null,
          brokers: info.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
          topicCount: names.filter((n) => !n.startsWith('__')).length,
        };
      } catch (err) {
        await Promise.allSettled([admin.disconnect(), cluster.disconnect()]);
        throw describeKafkaError(err, { brokers: connection.brokers });
      }
    },

    async 'console:disconnect'() {
      return { disconnected: await disconnect() };
    },

    async 'topics:list'(args) {
      return kafkaCall((s) => listTopics(s.admin, s.cluster, args?.includeInternal ?? false, () => s.closed));
    },

    async 'topic:partitions'({ topic }) {
      return kafkaCall((s) => topicPartitions(s.admin, topic), topic);
    },

    async 'groups:lag'({ topic }) {
      return kafkaCall((s) => groupLag(s.admin, topic, () => s.closed), topic);
    },

    async 'messages:window'(args) {
      const { window, records: page } = await kafkaCall(
        (s) =>
          readWindow(
            {
              cluster: s.cluster,
              watermarks: (t) => watermarks(s.admin, t),
              offsetsAt: (t, ts) => offsetsAt(s.admin, t, ts),
              blindIndex: deps.blindIndex,
            },
            { ...args, profile: viewer(args.profile) },
          ),
        args.topic,
      );
      remember(args.topic, page);
      return window;
    },

    async 'message:detail'({ topic, id }): Promise<MessageDetail> {
      const raw = (await envelopesFor(topic, [id])).get(id);
      if (!raw) throw rowGone(id);
      return messageDetail(id, raw);
    },

    'scan:start': (args) => scans.start({ ...args, profile: viewer(args.profile) }),
    'scan:progress': (args) => scans.progress(args),
    'scan:cancel': (args) => scans.cancel(args),

    async 'messages:decrypt'({ topic, ids, profile }) {
      const { identity, rows } = await decryptRows(topic, ids, profile);
      return { profile, identity, rows };
    },

    async 'access:matrix'({ profile, topic }) {
      // Probes are real records: the newest few hundred of the topic, so access is proved, not assumed.
      const probes = await handlers['messages:window']({ topic, mode: 'newest', limit: 300, scanBudget: 300 });
      const raws = await envelopesFor(topic, probes.rows.map((r) => r.id));
      const envelopes = [...raws.values()].flatMap((raw) => parseEnvelope(raw.value).envelope ?? []);
      return deps.identities.accessMatrix(profile, envelopes, openOptions());
    },

    'profiles:list': () => deps.identities.listProfiles(),

    export: (args: ArgsOf<'export'>) => exportRecords({ envelopesFor, decryptRows, ...(deps.saveExport ? { saveExport: deps.saveExport } : {}) }, args),

    async 'settings:get'() {
      return publicSettings();
    },

    ...activityHandlers({
      adminCall: service.adminCall,
      opener: openerFor,
      timeline: (args) =>
        kafkaCall(
          (s) =>
            readTimeline(
              { cluster: s.cluster, watermarks: (t) => watermarks(s.admin, t), blindIndex: deps.blindIndex, opener: openerFor },
              { ...args, profile: viewer(args.profile) },
            ),
          args.topic,
        ),
    }),

    async 'settings:set'(patch) {
      deps.settings.patch(patch);
      await followKeys();
      return publicSettings();
    },
  };

  return {
    // Decryptions and exports are reported to the service's audit trail when one is connected.
    handlers: {
      ...service.audited(handlers),
      ...service.handlers,
      ...groupHandlers({ kafkaCall: (fn, topic) => kafkaCall((s) => fn(s.admin), topic), connected: service.connected, recordAudit: service.recordAudit }),
      ...suppressionHandlers({
        call: service.call,
        blindIndex: deps.blindIndex,
        opener: openerFor,
        viewer,
        report: service.report,
        ...(deps.saveExport ? { saveExport: deps.saveExport } : {}),
      }),
      ...eventChannels({ call: service.call, opener: (profile) => deps.identities.opener(profile), report: service.report }),
    },
    async close() {
      await service.close();
      await disconnect();
      await deps.identities.close();
    },
  };
}
