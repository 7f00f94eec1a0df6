import type { Admin } from 'kafkajs';
import type { ConsoleHandlers } from '../../../shared/console-api/index.js';
import { followKeysTopic, type KeysTopicFollower } from '../../../shared/subject-keys/index.js';
import { describeKafkaError, notConnected } from '../errors.js';
import { createConsoleAdmin } from '../kafka/console-admin.js';
import { createKafka, type KafkaConnection, type MskTokenSigner } from '../kafka/kafka-client.js';
import { unsafeRawCluster, type RawCluster } from '../kafka/raw-fetch.js';
import type { Watermarks } from '../messages/read-window.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { offsetsAt, settleBoth, watermarks } from '../topics/topic-admin.js';

/** The channels that open and close the console's Kafka connection. */
export type SessionChannel = 'console:connect' | 'console:disconnect';

/** The one Kafka connection the console has open. */
export interface Session {
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

/** Runs a Kafka call on the connected session, mapping whatever it throws to an actionable error. */
export type KafkaCall = <T>(fn: (s: Session) => Promise<T>, topic?: string) => Promise<T>;

/** What readers of a topic by offset need of the session (windows, timelines). */
export interface TopicReader {
  cluster: RawCluster;
  watermarks(topic: string): Promise<Watermarks>;
  offsetsAt(topic: string, ts: number): Promise<Map<number, number>>;
}

/** Runs a read of `topic` on the connected session, as a Kafka call. */
export type TopicRead = <T>(fn: (reader: TopicReader) => Promise<T>, topic: string) => Promise<T>;

export interface KafkaSessionDeps {
  settings: SettingsStore;
  mskSigner?: MskTokenSigner;
  /** The keys topic to follow now (Settings, else the signed-in fleet's, else the default). */
  keysTopic(): string;
  /** Called on every disconnect, once the session is gone, before its clients close (scans, cached records). */
  onDrop(): Promise<void>;
}

/**
 * The console's Kafka connection: connect and disconnect, the calls that run on it (their errors made
 * actionable, their end awaited, bounded, before the clients close), and the keys topic it follows.
 */
export function createKafkaSession(deps: KafkaSessionDeps) {
  let session: Session | null = null;

  const need = (): Session => {
    if (!session) throw notConnected();
    return session;
  };
  const kafkaCall: KafkaCall = async (fn, topic) => {
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
  const read: TopicRead = (fn, topic) =>
    kafkaCall((s) => fn({ cluster: s.cluster, watermarks: (t) => watermarks(s.admin, t), offsetsAt: (t, ts) => offsetsAt(s.admin, t, ts) }), topic);

  /** The connection follows the keys topic chosen now (after Settings or the signed-in fleet changed); the old book and its opened keys go. */
  const followKeys = async (): Promise<void> => {
    const s = session;
    const topic = deps.keysTopic();
    if (!s || s.keys.topic === topic) return;
    const old = s.keys;
    s.keys = followKeysTopic({ kafka: s.kafka, topic });
    await old.close().catch(() => undefined);
  };

  const disconnect = async (): Promise<boolean> => {
    const s = session;
    session = null;
    await deps.onDrop();
    if (!s) return false;
    // Calls still running (a topic list over thousands of topics) stop issuing requests and settle first:
    // a request sent after the admin client's disconnect would reconnect it and keep the process alive.
    s.closed = true;
    await Promise.race([Promise.allSettled([...s.calls]), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await Promise.allSettled([s.admin.disconnect(), s.cluster.disconnect(), s.keys.close()]);
    return true;
  };

  const handlers: Pick<ConsoleHandlers, SessionChannel> = {
    async 'console:connect'({ connection, remember: keep }) {
      await disconnect();
      const password = 'password' in connection.auth && connection.auth.password ? connection.auth.password : deps.settings.password(connection.name);
      const kafka = createKafka(connection, password, deps.mskSigner);
      const admin = createConsoleAdmin(kafka, { retries: 1, initialRetryTime: 150 });
      const cluster = unsafeRawCluster(kafka);
      try {
        await admin.connect();
        const [info, names] = await settleBoth(admin.describeCluster(), admin.listTopics());
        await cluster.connect();
        session = { conn: connection, admin, cluster, kafka, keys: followKeysTopic({ kafka, topic: deps.keysTopic() }), calls: new Set(), closed: false };
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
  };

  return {
    handlers,
    /** The connected session; throws SP_CONSOLE_NOT_CONNECTED without one. */
    need,
    /** The connected session, or null (readers that work without one: open options). */
    current: (): Session | null => session,
    kafkaCall,
    read,
    followKeys,
    disconnect,
  };
}

export type KafkaSession = ReturnType<typeof createKafkaSession>;
