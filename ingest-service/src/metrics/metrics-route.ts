import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SealpostError } from '../../../shared/errors/index.js';
import type { RefusalLog } from '../log/refusal-log.js';

/** Error codes of the /metrics route. */
export const METRICS_ERRORS = {
  /** metrics.token is set and the request did not present it. */
  unauthenticated: 'SP_METRICS_UNAUTHENTICATED',
} as const;

/** What /metrics serves: the registry's text, gauges refreshed first. */
export interface MetricsPage {
  contentType: string;
  render(): Promise<string>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * GET /metrics on one listener (the ingest one by default, the admin one with `metrics.listener:
 * admin`), behind `Authorization: Bearer <metrics.token>` when a token is set, so a public ingest
 * listener need not show its backlog and reject counts to the world. Compared in constant time.
 */
export function registerMetricsRoute(app: FastifyInstance, opts: { page: MetricsPage; token?: string | undefined; refusals: RefusalLog; listener: 'ingest' | 'admin' }): void {
  const expected = opts.token ? digest(opts.token) : undefined;
  app.get('/metrics', async (request, reply) => {
    if (expected) {
      const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
        opts.refusals.refused({ listener: opts.listener, reason: 'metrics_unauthenticated', status: 401, client: request.socket.remoteAddress });
        const err = new SealpostError(METRICS_ERRORS.unauthenticated, 'GET /metrics needs Authorization: Bearer <metrics.token>', { status: 401 });
        return reply.code(401).header('www-authenticate', 'Bearer').send(err.toJSON());
      }
    }
    return reply.header('content-type', opts.page.contentType).send(await opts.page.render());
  });
}
