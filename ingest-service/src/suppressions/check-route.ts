import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BlindIndexer } from '../../../shared/blind-index/index.js';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import { clientKey, createKeyedRateLimiter } from '../limits/keyed-rate-limiter.js';
import type { RefusalLog } from '../log/refusal-log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { EVENTS_SIGNATURE_HEADER, EVENTS_TIMESTAMP_HEADER, type Verifier } from '../verify/index.js';
import { answerCheck, parseCheckBody, type CheckView } from './check.js';
import { SUPPRESSION_ERRORS } from './errors.js';

export const CHECK_PATH = '/v1/suppressions/check';

/** What the check route needs; built by startSuppressions (or a stub saying why there is no list). */
export interface CheckRouteDeps {
  /** An error to answer with when the list is off or has no Kafka to live in; null when it is on. */
  unavailable: SealpostError | null;
  /** True once the view has read its topic to the end (in this run or one whose view is on disk). */
  ready(): boolean;
  view: CheckView;
  /** The blind index (its key is loaded on first use; rejects retriable while KMS is away). */
  blindIndexer(): Promise<Pick<BlindIndexer, 'many'>>;
  /** suppressions.check.verify as an `events` verifier; absent = admin sessions only. */
  verifier?: { verifier: Verifier; bearer: boolean };
  /** An admin session's permissions from its Authorization header (rejects 401/403); absent without an admin API. */
  adminPermissions?(authorization: string, remoteAddress: string | undefined): Promise<readonly string[]>;
  perMinute: number;
  metrics: Pick<ServiceMetrics, 'suppressionChecks' | 'suppressionCheckAddresses' | 'suppressionCheckSeconds'>;
  refusals: RefusalLog;
  now(): number;
}

/** The 200 answer's shape, so fastify serialises it with a compiled serializer instead of JSON.stringify. */
const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: { suppressed: { type: 'boolean' }, reasons: { type: 'array', items: { type: 'string' } }, since: { type: ['string', 'null'] } },
        required: ['suppressed', 'reasons', 'since'],
      },
    },
  },
  required: ['results'],
} as const;

const unauthenticated = (reason: string, message: string): SealpostError => new SealpostError(SUPPRESSION_ERRORS.unauthenticated, message, { status: 401, details: { reason } });

/**
 * Who may check: a sending system with the check credentials (HMAC over the body, or a bearer token,
 * exactly as an `events` source), or an admin session holding `suppressions:read`. A credential that
 * is presented is checked, and a wrong one is refused: it is never ignored in favour of another.
 */
async function authenticate(req: FastifyRequest, body: Buffer, deps: CheckRouteDeps): Promise<void> {
  const headers = req.headers;
  const signed = headers[EVENTS_SIGNATURE_HEADER.toLowerCase()] !== undefined || headers[EVENTS_TIMESTAMP_HEADER.toLowerCase()] !== undefined;
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  if (!signed && !authorization) {
    throw unauthenticated('missing_credentials', `no credentials: sign the body like an events source (${EVENTS_SIGNATURE_HEADER}, ${EVENTS_TIMESTAMP_HEADER}) or send Authorization: Bearer <token>`);
  }
  if (signed) {
    if (!deps.verifier) throw unauthenticated('no_check_credentials', 'this server has no suppressions.check.verify: only admin sessions with suppressions:read may check');
    await deps.verifier.verifier.verify({ headers, body });
    return;
  }
  let first: unknown;
  if (deps.verifier?.bearer) {
    try {
      await deps.verifier.verifier.verify({ headers, body });
      return;
    } catch (err) {
      first = err;
    }
  }
  if (deps.adminPermissions) {
    let permissions: readonly string[];
    try {
      permissions = await deps.adminPermissions(authorization!, req.socket.remoteAddress);
    } catch (err) {
      throw first ?? err;
    }
    if (!permissions.includes('suppressions:read')) {
      throw new SealpostError(SUPPRESSION_ERRORS.forbidden, 'this admin session lacks the permission suppressions:read; ask an admin to map your identity to reviewer, operator or admin', { status: 403, details: { reason: 'forbidden' } });
    }
    return;
  }
  throw first ?? unauthenticated('bad_token', 'the bearer token is not accepted here');
}

/**
 * POST /v1/suppressions/check on the ingest listener: `{"addresses": [...], "group"?: n}` ->
 * `{"results": [{"suppressed", "reasons", "since"}, ...]}` in the same order. Rate-limited per client
 * address, authenticated, parsed; every refusal is a 4xx with a stable reason, counted in
 * sealpost_suppression_checks_total{outcome} and logged (rate-limited) without any address.
 */
export function registerCheckRoute(app: FastifyInstance, deps: CheckRouteDeps): void {
  const limiter = createKeyedRateLimiter({ perMinute: deps.perMinute, maxKeys: 10_000, now: deps.now });
  const refuse = (request: FastifyRequest, reply: FastifyReply, err: SealpostError): FastifyReply => {
    const reason = typeof err.details?.['reason'] === 'string' ? (err.details['reason'] as string) : err.code.toLowerCase();
    deps.metrics.suppressionChecks.inc({ outcome: reason });
    deps.refusals.refused({ listener: 'ingest', source: '_suppressions', reason, status: err.status, client: request.socket.remoteAddress });
    return reply.code(err.status).header('content-type', 'application/json').send(err.toJSON());
  };

  app.post(CHECK_PATH, { schema: { response: { 200: ANSWER_SCHEMA } } }, async (request, reply) => {
    try {
      if (deps.unavailable) throw deps.unavailable;
      const client = clientKey(request.socket.remoteAddress);
      if (!limiter.take(client)) {
        const retryAfter = limiter.retryAfterSeconds(client);
        reply.header('retry-after', String(retryAfter));
        throw new SealpostError(SUPPRESSION_ERRORS.rateLimited, `too many checks from this address (suppressions.check.perMinute: ${deps.perMinute}); retry in ${retryAfter} s, or batch addresses (up to 10,000 per request)`, { status: 429, retriable: true, details: { reason: 'rate_limited', retryAfterSeconds: retryAfter } });
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      await authenticate(request, body, deps);
      const started = performance.now();
      const parsed = parseCheckBody(body);
      if (!deps.ready()) {
        reply.header('retry-after', '5');
        throw new SealpostError(SUPPRESSION_ERRORS.notReady, 'the suppression list is still being read from its topic (first start, or Kafka away since); retry shortly', { status: 503, retriable: true, details: { reason: 'not_ready' } });
      }
      const index = await deps.blindIndexer();
      const results = answerCheck(parsed, deps.view, index);
      deps.metrics.suppressionChecks.inc({ outcome: 'ok' });
      deps.metrics.suppressionCheckAddresses.inc(results.length);
      deps.metrics.suppressionCheckSeconds.observe((performance.now() - started) / 1000);
      return reply.code(200).send({ results });
    } catch (err) {
      if (isSealpostError(err) && err.status < 600) return refuse(request, reply, err);
      throw err;
    }
  });
}
