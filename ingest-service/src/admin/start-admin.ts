import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ADMIN_ROUTES, permissionsOf, type AdminPermission, type RouteSpec } from '../../../shared/admin-api/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { isLoopbackHost } from '../../../shared/net/index.js';
import { createAuditTrail, openAuditIndex } from '../audit/index.js';
import { createSubjectIndexer } from '../event-index/index.js';
import { createKafka } from '../kafka/index.js';
import { createReplayManager } from '../replay/index.js';
import type { AdminDeps, AdminServiceParts } from './admin-deps.js';
import { ADMIN_ERRORS, ADMIN_START_ERRORS } from './errors.js';
import { activityHandlers } from './handlers/activity-handlers.js';
import { auditHandlers } from './handlers/audit-handlers.js';
import { forgetHandlers } from './handlers/forget-handlers.js';
import { backlogHandlers } from './handlers/backlog-handlers.js';
import { eventHandlers } from './handlers/event-handlers.js';
import { replayHandlers } from './handlers/replay-handlers.js';
import { sessionHandlers } from './handlers/session-handlers.js';
import { statusHandlers } from './handlers/status-handlers.js';
import { suppressionHandlers } from './handlers/suppression-handlers.js';
import { createRateSampler } from './rate-sampler.js';
import { createAdminServer, type AdminHandlers } from './server.js';
import { createSignIn } from './sign-in/sign-in.js';

/** The running admin API, as the service holds it. */
export interface AdminHandle {
  /** Base URL of the admin listener. */
  url: string;
  /** The local admin token, when enabled; the start banner prints its file, never the token (log collectors keep stderr). */
  localToken?: { file: string; createdNow: boolean; token: string };
  /** The admin permissions of an Authorization header (session or local token), for routes on other listeners. */
  permissions(authorization: string, remoteAddress: string | undefined): Promise<AdminPermission[]>;
  /** Stops the listener, cancels running replays, closes the audit index. */
  close(): Promise<void>;
}

/**
 * Starts the admin API on its own listener, wired to the service's running journal, forwarder,
 * sink, metrics and source table. The service calls it once, after the source table (with the audit source)
 * reached its forwarder, and closes the handle first when stopping.
 */
export async function startAdmin(parts: AdminServiceParts): Promise<AdminHandle> {
  const { config, log } = parts;
  const admin = config.admin;
  if (!admin) throw new Error('startAdmin needs config.admin');
  const now = parts.now ?? Date.now;

  let https: { cert: Buffer; key: Buffer } | null = null;
  const tls = admin.listen.tls === 'ingest' ? config.listen.tls : admin.listen.tls;
  if (admin.listen.tls === 'ingest' && !config.listen.tls) {
    throw new SealpostError(ADMIN_START_ERRORS.noIngestTls, 'admin.listen.tls is "ingest" but listen.tls is not set; give the admin listener its own cert and key');
  }
  if (tls) https = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  else if (!isLoopbackHost(admin.listen.host)) {
    throw new SealpostError(ADMIN_START_ERRORS.plainOffLoopback, `the admin API listens on ${admin.listen.host} without TLS; set admin.listen.tls (or "ingest"), or listen on 127.0.0.1`);
  }
  if (!admin.aws && admin.localToken === false) {
    throw new SealpostError(ADMIN_START_ERRORS.noAuth, 'admin.localToken is off and admin.aws is not set: nobody could sign in; configure one of them');
  }

  const dataDir = resolve(config.dataDir);
  const sources = [...parts.sources];
  const auditSource = sources.find((s) => s.internal);
  if (!auditSource) throw new Error('startAdmin: the source table has no audit source (sourceTable(config) adds it when config.admin is set)');
  const auditIndex = openAuditIndex({ dataDir });
  const audit = createAuditTrail({ journal: parts.journal, index: auditIndex, sourceId: auditSource.id, log, now });
  const sampler = createRateSampler({ metrics: parts.metrics, journal: parts.journal, sourceIds: () => sources.map((s) => s.id), now });
  const signIn = createSignIn({ admin, dataDir, now });
  const replays = config.kafka
    ? createReplayManager({
        kafka: createKafka(config.kafka, log),
        log,
        createTopics: config.kafka.createTopics,
        replicationFactor: config.kafka.replicationFactor,
        maxRunning: admin.replay.maxRunning,
        keepFinished: admin.replay.keepFinished,
        now,
      })
    : undefined;

  const deps: AdminDeps = {
    config,
    admin,
    journal: parts.journal,
    forwarder: parts.forwarder,
    sink: parts.sink,
    metrics: parts.metrics,
    log,
    now,
    sources,
    audit,
    auditIndex,
    sampler,
    signIn,
    replays,
    activity: parts.activity,
    subjects: parts.subjects,
    eventIndex: parts.eventIndex,
    subjectIndex: createSubjectIndexer(parts.indexKey),
    startedAt: now(),
  };
  const handlers: AdminHandlers = {
    ...sessionHandlers(deps),
    ...statusHandlers(deps),
    ...backlogHandlers(deps),
    ...replayHandlers(deps),
    ...auditHandlers(deps),
    ...activityHandlers(deps),
    ...suppressionHandlers({ ...deps, ...(parts.suppressions ? { suppressions: parts.suppressions } : {}) }),
    ...forgetHandlers(deps),
    ...eventHandlers(deps),
  };
  const app = createAdminServer({
    https,
    limits: admin.listen.limits,
    log,
    refusals: parts.refusals,
    ...(config.metrics.listener === 'admin' ? { metrics: { page: parts.metricsPage, token: config.metrics.token } } : {}),
    signIn,
    handlers,
    onDenied: async (principal, operation, permission) => {
      const action = (ADMIN_ROUTES[operation] as RouteSpec).audit ?? operation;
      await audit.record({ action, actor: principal.arn, target: `permission/${permission}`, outcome: 'denied', details: { roles: principal.roles } });
    },
    onInvalid: async (principal, action, fields) => {
      await audit.record({ action, actor: principal.arn, target: 'request/invalid', outcome: 'failure', details: { code: ADMIN_ERRORS.badRequest, fields } });
    },
  });
  const close = async (): Promise<void> => {
    await app.close().catch(() => {});
    await replays?.close();
    sampler.stop();
    auditIndex.close();
  };
  try {
    await app.listen({ host: admin.listen.host, port: admin.listen.port });
  } catch (err) {
    await close();
    throw err;
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${https ? 'https' : 'http'}://${host}:${addr.port}`;
  log.info({ listening: url, awsSignIn: signIn.awsEnabled, localToken: Boolean(signIn.localToken), auditTopic: auditSource.topic }, 'sealpost admin API listening');
  const permissions = async (authorization: string, remoteAddress: string | undefined): Promise<AdminPermission[]> => permissionsOf((await signIn.authenticate(authorization, remoteAddress)).roles);
  return { url, ...(signIn.localToken ? { localToken: signIn.localToken } : {}), permissions, close };
}
