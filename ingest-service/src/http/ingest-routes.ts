import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import type { SourceKind } from '../../../shared/envelope/index.js';
import type { SourceConfig } from '../config/index.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import type { Logger } from '../log/logger.js';
import type { RefusalLog } from '../log/refusal-log.js';
import { HTTP_ERRORS } from './errors.js';

/** What the routes need from a verifier (ingest-service/src/verify). */
export interface RouteVerifier {
  verify(req: { headers: Record<string, string | string[] | undefined>; body: Buffer }): Promise<{
    principal: string;
    snsType?: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
    subscribeUrl?: string;
  }>;
}

/** One configured source as the routes see it. */
export interface RouteSource {
  config: SourceConfig;
  verifier: RouteVerifier;
}

export interface IngestRouteDeps {
  sources: ReadonlyMap<string, RouteSource>;
  /** Durably journals one request; resolves only once it is on disk. */
  append(entry: { source: string; kind: SourceKind; receivedAt: number; payload: Buffer }): Promise<number>;
  /** Counts the events in a body for the accepted metric and the answer (malformed bodies count 1). */
  countEvents(kind: SourceKind, body: Buffer): number;
  confirmSubscription(url: string): Promise<void>;
  /** `subscription: log`: keeps the SubscribeURL (it carries a token) for an operator; returns where. Never log the URL. */
  keepPendingSubscription(sourceId: string, url: string): string;
  metrics: ServiceMetrics;
  log: Logger;
  /** Every refusal is logged through it (rate-limited). */
  refusals: RefusalLog;
  now(): number;
}

const ROUTE_PREFIX: Record<SourceKind, string> = { sendgrid: '/v1/sendgrid/', sns: '/v1/sns/', events: '/v1/events/' };

/** Counts, logs and answers one refused ingest request. */
export function rejectRequest(request: FastifyRequest, reply: FastifyReply, deps: Pick<IngestRouteDeps, 'metrics' | 'refusals'>, sourceLabel: string, err: SealpostError): FastifyReply {
  const reason = typeof err.details?.reason === 'string' ? err.details.reason : err.code.toLowerCase();
  deps.metrics.requestsRejected.inc({ source: sourceLabel, reason });
  deps.refusals.refused({ listener: 'ingest', source: sourceLabel, reason, status: err.status, client: request.socket.remoteAddress });
  return reply.code(err.status).header('content-type', 'application/json').send(err.toJSON());
}

/**
 * The three ingest routes. Order of work per request is the product's promise: authenticate on the
 * raw bytes, journal durably, and only then answer 2xx. Shape problems in an authenticated body are
 * not the sender's problem: they are journaled and become dead letters downstream.
 */
export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  for (const kind of Object.keys(ROUTE_PREFIX) as SourceKind[]) {
    app.post(`${ROUTE_PREFIX[kind]}:source`, async (request: FastifyRequest<{ Params: { source: string } }>, reply) => {
      const started = deps.now();
      const source = deps.sources.get(request.params.source);
      if (!source || source.config.kind !== kind) {
        return rejectRequest(request, reply, deps, '_unknown', new SealpostError(HTTP_ERRORS.unknownSource, `no ${kind} source is configured with id "${request.params.source}"; check the URL against sources[].id`, { status: 404, details: { reason: 'unknown_source' } }));
      }
      const id = source.config.id;
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      let verified;
      try {
        verified = await source.verifier.verify({ headers: request.headers, body });
      } catch (err) {
        if (isSealpostError(err)) return rejectRequest(request, reply, deps, id, err);
        throw err;
      }
      if (kind === 'sns' && verified.snsType && verified.snsType !== 'Notification') {
        return handleSnsControl(source, verified.snsType, verified.subscribeUrl, deps, reply);
      }
      const receivedAt = deps.now();
      try {
        const seq = await deps.append({ source: id, kind, receivedAt, payload: body });
        const events = deps.countEvents(kind, body);
        deps.metrics.eventsAccepted.inc({ source: id }, events);
        deps.metrics.requestsAccepted.inc({ source: id });
        deps.metrics.ackSeconds.observe({ source: id }, (deps.now() - started) / 1000);
        return reply.code(200).send({ accepted: events, seq });
      } catch (err) {
        if (isSealpostError(err)) {
          deps.log.error({ err: { code: err.code, message: err.message }, source: id }, 'journal refused a request; answered 503 so the sender retries');
          return rejectRequest(request, reply.header('retry-after', '5'), deps, id, err);
        }
        throw err;
      }
    });
  }
}

async function handleSnsControl(
  source: RouteSource,
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
  subscribeUrl: string | undefined,
  deps: IngestRouteDeps,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const cfg = source.config;
  if (cfg.kind !== 'sns') throw new Error('unreachable');
  if (type === 'UnsubscribeConfirmation') {
    deps.log.warn({ source: cfg.id }, 'SNS says this endpoint was unsubscribed; events from this topic will stop');
    return reply.code(200).send({ ok: true });
  }
  if (cfg.verify.subscription === 'log' || !subscribeUrl) {
    const file = subscribeUrl ? deps.keepPendingSubscription(cfg.id, subscribeUrl) : undefined;
    deps.log.warn({ source: cfg.id, file }, 'SNS subscription pending (subscription: log): confirm it by visiting the URL written in file (owner-only; it carries the confirmation token)');
    return reply.code(200).send({ ok: true, confirmed: false });
  }
  await deps.confirmSubscription(subscribeUrl);
  deps.log.info({ source: cfg.id }, 'SNS subscription confirmed');
  return reply.code(200).send({ ok: true, confirmed: true });
}
