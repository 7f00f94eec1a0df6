import { readFileSync } from 'node:fs';
import { fastify, LogController, type FastifyInstance } from 'fastify';
import { SealpostError } from '../../../shared/errors/index.js';
import type { Config } from '../config/index.js';
import { applyListenerLimits, fastifyLimitOptions, type ListenerRefused } from '../limits/listener-limits.js';
import type { Logger } from '../log/logger.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { registerMetricsRoute, type MetricsPage } from '../metrics/metrics-route.js';
import { HTTP_ERRORS } from './errors.js';
import { registerIngestRoutes, rejectRequest, type IngestRouteDeps } from './ingest-routes.js';
import { CHECK_PATH, registerCheckRoute, type CheckRouteDeps } from '../suppressions/check-route.js';

export interface HttpServerDeps extends IngestRouteDeps {
  config: Config;
  metrics: ServiceMetrics;
  log: Logger;
  /** Readiness: null when ready, else what is wrong (e.g. the journal is not writable). */
  notReadyReason(): string | null;
  /** /metrics (gauges refreshed when read), served here unless metrics.listener is `admin`. */
  metricsPage: MetricsPage;
  /** POST /v1/suppressions/check (ingest-service/src/suppressions). */
  suppressionCheck?: CheckRouteDeps;
}

/**
 * Builds the HTTP(S) server. Bodies are taken as raw bytes (signatures are checked on the bytes as
 * received); the size limit answers 413 with a JSON error before anything is journaled.
 */
export function createHttpServer(deps: HttpServerDeps): FastifyInstance {
  const { config } = deps;
  const https = config.listen.tls
    ? { cert: readFileSync(config.listen.tls.cert), key: readFileSync(config.listen.tls.key) }
    : null;
  const refused: ListenerRefused = (reason, status, client) => {
    deps.metrics.requestsRejected.inc({ source: '_unknown', reason });
    deps.refusals.refused({ listener: 'ingest', reason, status, client });
  };
  const app = fastify({
    ...fastifyLimitOptions(config.listen.limits, https, refused),
    loggerInstance: deps.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxBodyBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;

  applyListenerLimits(app.server, config.listen.limits, refused);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const src = (request.params as { source?: string } | undefined)?.source;
      const err = new SealpostError(HTTP_ERRORS.bodyTooLarge, `request body is larger than maxBodyBytes (${config.maxBodyBytes} bytes); split the batch or raise maxBodyBytes`, { status: 413, details: { reason: 'body_too_large' } });
      return rejectRequest(request, reply, deps, src && deps.sources.has(src) ? src : '_unknown', err);
    }
    if (error instanceof SealpostError) {
      return error.status < 500 ? rejectRequest(request, reply, deps, '_unknown', error) : reply.code(error.status).send(error.toJSON());
    }
    if (error.statusCode && error.statusCode < 500) {
      deps.refusals.refused({ listener: 'ingest', reason: (error.code ?? 'bad_request').toLowerCase(), status: error.statusCode, client: request.socket.remoteAddress });
      return reply.code(error.statusCode).send({ error: { code: error.code ?? 'SP_BAD_REQUEST', message: error.message, retriable: false } });
    }
    deps.log.error({ err: { message: error.message, code: error.code, stack: error.stack } }, 'unexpected error in request');
    return reply.code(500).send(new SealpostError(HTTP_ERRORS.internal, 'internal error; the request was not acknowledged, retry it', { retriable: true }).toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    deps.refusals.refused({ listener: 'ingest', reason: 'no_route', status: 404, client: request.socket.remoteAddress });
    return reply.code(404).send(new SealpostError(HTTP_ERRORS.notFound, `no such route; ingest routes are POST /v1/sendgrid/{source}, /v1/sns/{source}, /v1/events/{source}, and ${CHECK_PATH}`, { status: 404 }).toJSON());
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const reason = deps.notReadyReason();
    return reason ? reply.code(503).send({ status: 'not ready', reason }) : { status: 'ready' };
  });
  if (config.metrics.listener === 'ingest') registerMetricsRoute(app, { page: deps.metricsPage, token: config.metrics.token, refusals: deps.refusals, listener: 'ingest' });

  registerIngestRoutes(app, deps);
  if (deps.suppressionCheck) registerCheckRoute(app, deps.suppressionCheck);
  return app;
}
