import { createAdminClient, type AdminClient } from '../../../shared/aws-sign-in/index.js';
import type { LoginResponse, SessionView } from '../../../shared/admin-api/types.js';
import type { ArgsOf } from '../../../shared/console-api/contract.js';
import type { AuditReportState, ServiceState } from '../../../shared/console-api/service-types.js';
import { profileCredentials } from '../../../shared/decrypt/credentials.js';
import { isSealpostError, SealpostError } from '../../../shared/errors/index.js';
import { SERVICE_ERRORS, serviceNotConnected } from './errors.js';
import { connectionView, type ServiceConnection, type ServiceStore } from './service-store.js';

export interface ServiceConnectorOptions {
  store: ServiceStore;
  /** AWS shared files, as the identities use them; default AWS_CONFIG_FILE / ~/.aws. */
  aws?: { configFile?: string; credentialsFile?: string; profileStsEndpoint?: string };
  /** Per-request timeout of the admin client (drains add their own wait). */
  timeoutMs?: number;
  /** The audit reporter's state, for service:state. */
  auditState?: () => AuditReportState;
}

interface Live {
  conn: ServiceConnection;
  client: AdminClient;
  session: SessionView;
  /** AWS sign-in, repeated when the service says the session ended. */
  signIn?: () => Promise<LoginResponse>;
  resigning?: Promise<void>;
}

const SESSION_INVALID = 'SP_ADMIN_SESSION_INVALID';

function sessionOf(r: LoginResponse): SessionView {
  const { token: _token, ...session } = r;
  return session;
}

/**
 * The console's connections to a fleet of ingest services' admin APIs, one per admin URL. It holds
 * each admin client, and so the session tokens and the AWS credentials, in main: the renderer gets
 * each session's facts (who, roles, permissions, expiry) and results, never a token. Every call names
 * the service it targets. An AWS session that expires is signed again with the same profile on the
 * next call to that service, without asking the operator.
 */
export function createServiceConnector(opts: ServiceConnectorOptions) {
  const { store } = opts;
  /** The fleet signed in to, by admin URL, in the order signed in to (a new sign-in keeps its place). */
  const lives = new Map<string, Live>();

  const awsSignIn = (client: AdminClient, conn: ServiceConnection) => () =>
    client.signIn({
      credentials: profileCredentials({
        profile: conn.profile ?? 'default',
        region: conn.region ?? 'us-east-1',
        ...(opts.aws?.configFile ? { configFile: opts.aws.configFile } : {}),
        ...(opts.aws?.credentialsFile ? { credentialsFile: opts.aws.credentialsFile } : {}),
        ...(opts.aws?.profileStsEndpoint ? { stsEndpoint: opts.aws.profileStsEndpoint } : {}),
      }),
      ...(conn.region ? { region: conn.region } : {}),
      ...(conn.stsEndpoint ? { stsEndpoint: conn.stsEndpoint } : {}),
    });

  const state = (): ServiceState => {
    const first = [...lives.values()][0];
    return {
      saved: store.views(),
      connected: [...lives.values()].map((l) => ({ ...connectionView(l.conn, store.tokenSaved(l.conn.url)), session: l.session })),
      auditService: first?.conn.url ?? null,
      audit: opts.auditState?.() ?? { reported: 0, failed: 0, queued: 0, lastFailure: null },
      secretsEncrypted: store.secretsAvailable(),
    };
  };

  const resign = async (l: Live): Promise<void> => {
    l.resigning ??= (async () => {
      try {
        l.session = sessionOf(await l.signIn!());
      } finally {
        l.resigning = undefined;
      }
    })();
    return l.resigning;
  };

  return {
    state,

    /** Signs in to one service (AWS profile or token); its previous session stays until this one succeeds. */
    async connect(args: ArgsOf<'service:connect'>): Promise<ServiceState> {
      const url = args.url.replace(/\/+$/, '');
      const conn: ServiceConnection = {
        url,
        serverId: args.serverId ?? null,
        auth: args.auth.kind,
        profile: args.auth.kind === 'aws' ? args.auth.profile : null,
        region: args.auth.kind === 'aws' ? (args.auth.region ?? null) : null,
        stsEndpoint: args.auth.kind === 'aws' ? (args.auth.stsEndpoint ?? null) : null,
        // No CA given keeps the one saved for this URL (the renderer never gets it back to resend).
        ca: args.ca?.trim() ? args.ca : (store.list().find((c) => c.url === url)?.ca ?? null),
      };
      if (args.remember) store.assertRoom(url); // before signing in: a fleet at its maximum is refused whole
      const client = createAdminClient({
        url,
        ...(conn.ca ? { ca: conn.ca } : {}),
        ...(conn.serverId ? { serverId: conn.serverId } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      });
      let next: Live;
      if (args.auth.kind === 'aws') {
        const signIn = awsSignIn(client, conn);
        next = { conn, client, session: sessionOf(await signIn()), signIn };
      } else {
        const token = args.auth.token ?? store.token(url);
        if (!token) {
          throw new SealpostError(SERVICE_ERRORS.noToken, `No token saved for ${url}: paste the local admin token (it is in the service's dataDir/keys/admin-local.token).`, { status: 400 });
        }
        client.useToken(token);
        next = { conn, client, session: await client.session() };
      }
      lives.set(url, next);
      if (args.remember) store.save(conn, args.auth.kind === 'token' ? args.auth.token : undefined);
      return state();
    },

    /** Signs out of one service (`forget`: and drops it from the remembered fleet, signed in or not). */
    async disconnect(service: string, forget: boolean): Promise<ServiceState> {
      lives.delete(service);
      if (forget) store.forget(service);
      return state();
    },

    /** Signs out of every service (the console is closing). */
    disconnectAll(): void {
      lives.clear();
    },

    connected: (): boolean => lives.size > 0,

    /** The services signed in to, in order: what the fleet status asks, and the keys topic each said it uses. */
    services: (): { url: string; label: string; subjectKeysTopic: string | null }[] =>
      [...lives.values()].map((l) => ({ url: l.conn.url, label: l.session.serverId ?? l.conn.serverId ?? l.conn.url, subjectKeysTopic: l.session.subjectKeysTopic ?? null })),

    /**
     * Runs one admin call on the named service. An ended AWS session is signed again once and the
     * call repeated; any other error reaches the caller as the service worded it.
     */
    async call<T>(service: string, fn: (client: AdminClient) => Promise<T>): Promise<T> {
      const l = lives.get(service);
      if (!l) throw serviceNotConnected(service);
      try {
        return await fn(l.client);
      } catch (err) {
        if (!isSealpostError(err, SESSION_INVALID) || !l.signIn || lives.get(service) !== l) throw err;
        await resign(l);
        return fn(l.client);
      }
    },

    /** Runs `fn` on the first service signed in to (where the console's own audit reports go). */
    callFirst<T>(fn: (client: AdminClient) => Promise<T>): Promise<T> {
      const first = [...lives.keys()][0];
      if (!first) return Promise.reject(serviceNotConnected());
      return this.call(first, fn);
    },
  };
}

export type ServiceConnector = ReturnType<typeof createServiceConnector>;
