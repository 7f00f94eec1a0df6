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
 * The console's one connection to an ingest service's admin API. It holds the admin client, and so
 * the session token and the AWS credentials, in main: the renderer gets the session's facts (who,
 * roles, permissions, expiry) and results, never a token. An AWS session that expires is signed
 * again with the same profile on the next call, without asking the operator.
 */
export function createServiceConnector(opts: ServiceConnectorOptions) {
  const { store } = opts;
  let live: Live | null = null;

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
    const saved = store.view();
    return {
      saved,
      connected: live ? { ...connectionView(live.conn, saved?.url === live.conn.url && saved.tokenSaved), session: live.session } : null,
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

    /** Signs in (AWS profile or token); the previous connection stays until this one succeeds. */
    async connect(args: ArgsOf<'service:connect'>): Promise<ServiceState> {
      const url = args.url.replace(/\/+$/, '');
      const conn: ServiceConnection = {
        url,
        serverId: args.serverId ?? null,
        auth: args.auth.kind,
        profile: args.auth.kind === 'aws' ? args.auth.profile : null,
        region: args.auth.kind === 'aws' ? (args.auth.region ?? null) : null,
        stsEndpoint: args.auth.kind === 'aws' ? (args.auth.stsEndpoint ?? null) : null,
        ca: args.ca?.trim() ? args.ca : null,
      };
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
          throw new SealpostError(SERVICE_ERRORS.noToken, `No token saved for ${url}: paste the local admin token (the service prints it at first start; it is in dataDir/keys/admin-local.token).`, { status: 400 });
        }
        client.useToken(token);
        next = { conn, client, session: await client.session() };
      }
      live = next;
      if (args.remember) store.save(conn, args.auth.kind === 'token' ? args.auth.token : undefined);
      return state();
    },

    async disconnect(forget: boolean): Promise<ServiceState> {
      live = null;
      if (forget) store.forget();
      return state();
    },

    connected: (): boolean => live !== null,

    /**
     * Runs one admin call on the live connection. An ended AWS session is signed again once and the
     * call repeated; any other error reaches the caller as the service worded it.
     */
    async call<T>(fn: (client: AdminClient) => Promise<T>): Promise<T> {
      const l = live;
      if (!l) throw serviceNotConnected();
      try {
        return await fn(l.client);
      } catch (err) {
        if (!isSealpostError(err, SESSION_INVALID) || !l.signIn || live !== l) throw err;
        await resign(l);
        return fn(l.client);
      }
    },
  };
}

export type ServiceConnector = ReturnType<typeof createServiceConnector>;
