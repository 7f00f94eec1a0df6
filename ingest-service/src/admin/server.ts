import { fastify, LogController, type FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ADMIN_ROUTES, permissionsOf, ROLE_PERMISSIONS, type AdminOperation, type AdminPermission, type AdminRequestOf, type AdminResponseOf, type RouteSpec } from '../../../shared/admin-api/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { applyListenerLimits, fastifyLimitOptions, type ListenerLimits, type ListenerRefused } from '../limits/listener-limits.js';
import type { Logger } from '../log/logger.js';
import type { RefusalLog } from '../log/refusal-log.js';
import { registerMetricsRoute, type MetricsPage } from '../metrics/metrics-route.js';
import { ADMIN_ERRORS, adminError } from './errors.js';
import type { Principal, SignIn } from './sign-in/sign-in.js';

/** What a handler knows about the request beyond its parsed parts. */
export interface AdminContext {
  /** Null only for the login route. */
  principal: Principal | null;
  /** The client's address as the socket sees it (rate limits; never logged in clear with anything personal). */
  remoteAddress: string | undefined;
}

/** One async function per operation of the contract, on parsed input. */
export type AdminHandlers = { [O in AdminOperation]: (req: AdminRequestOf<O>, ctx: AdminContext) => Promise<AdminResponseOf<O>> };

export interface AdminServerDeps {
  https: { cert: Buffer; key: Buffer } | null;
  /** Timeouts and connection cap of the admin listener (admin.listen.limits). */
  limits: ListenerLimits;
  log: Logger;
  signIn: SignIn;
  handlers: AdminHandlers;
  /** Every refused admin request is logged through it (rate-limited). */
  refusals: RefusalLog;
  /** GET /metrics on this listener too (metrics.listener: admin). */
  metrics?: { page: MetricsPage; token: string | undefined };
  /** Called when an authenticated caller lacks the permission (so the refusal is audited). */
  onDenied(principal: Principal, operation: AdminOperation, permission: AdminPermission): Promise<void>;
  /** Called when a signed-in caller's input breaks the schemas of a route whose spec names an audit action (the fields, never their values). */
  onInvalid?(principal: Principal, action: string, fields: string[]): Promise<void>;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw adminError(ADMIN_ERRORS.badRequest, 400, `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues } });
}

function rolesWith(permission: AdminPermission): string {
  return Object.entries(ROLE_PERMISSIONS)
    .filter(([, perms]) => perms.includes(permission))
    .map(([role]) => role)
    .join(' or ');
}

/**
 * The admin listener: one route per entry of the shared contract, each one authenticated, checked
 * against the permission the contract names, parsed with the contract's schemas on the way in and
 * on the way out. Errors are the contract's JSON errors, saying what to do next.
 */
export function createAdminServer(deps: AdminServerDeps): FastifyInstance {
  const refused: ListenerRefused = (reason, status, client) => deps.refusals.refused({ listener: 'admin', reason, status, client });
  const app = fastify({
    ...fastifyLimitOptions(deps.limits, deps.https, refused),
    loggerInstance: deps.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    return503OnClosing: true,
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;

  applyListenerLimits(app.server, deps.limits, refused);
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const status = error instanceof SealpostError ? error.status : (error.statusCode ?? 500);
    if (status < 500 || status === 503) {
      deps.refusals.refused({ listener: 'admin', reason: error.code ?? ADMIN_ERRORS.badRequest, status, client: request.socket.remoteAddress });
    }
    if (error instanceof SealpostError) {
      const retryAfter = error.details?.['retryAfterSeconds'];
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return reply.code(error.status).send(error.toJSON());
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.code(error.statusCode).send(adminError(ADMIN_ERRORS.badRequest, error.statusCode, `${error.message}; send a JSON body (Content-Type: application/json)`).toJSON());
    }
    deps.log.error({ err: { message: error.message, code: error.code, stack: error.stack } }, 'unexpected error in an admin request');
    return reply.code(500).send(adminError(ADMIN_ERRORS.internal, 500, 'internal error in the admin API; check the service log and retry').toJSON());
  });
  if (deps.metrics) registerMetricsRoute(app, { ...deps.metrics, refusals: deps.refusals, listener: 'admin' });
  app.setNotFoundHandler((request, reply) => {
    deps.refusals.refused({ listener: 'admin', reason: 'no_route', status: 404, client: request.socket.remoteAddress });
    return reply.code(404).send(adminError(ADMIN_ERRORS.notFound, 404, `no admin route ${request.method} ${request.url.split('?')[0]}; see docs/admin-api.md`).toJSON());
  });

  for (const [operation, spec] of Object.entries(ADMIN_ROUTES) as [AdminOperation, RouteSpec][]) {
    app.route({
      method: spec.method,
      url: spec.path,
      handler: async (request, reply) => {
        let principal: Principal | null = null;
        if (spec.permission !== null) {
          principal = await deps.signIn.authenticate(request.headers.authorization, request.socket.remoteAddress);
          if (spec.permission !== 'any' && !permissionsOf(principal.roles).includes(spec.permission)) {
            await deps.onDenied(principal, operation, spec.permission).catch((err: unknown) => deps.log.error({ err: (err as Error).message }, 'could not audit a refused admin request'));
            throw adminError(
              ADMIN_ERRORS.forbidden,
              403,
              `${operation} needs the permission ${spec.permission}, which your role(s) ${principal.roles.join(', ') || '(none)'} do not have; ask an admin to map your identity to ${rolesWith(spec.permission)}`,
              { details: { permission: spec.permission, roles: principal.roles } },
            );
          }
        }
        let req: { params: unknown; query: unknown; body: unknown };
        try {
          req = {
            params: parsePart(spec.params, request.params, 'path'),
            query: parsePart(spec.query, request.query, 'query'),
            body: parsePart(spec.body, request.body, 'body'),
          };
        } catch (err) {
          if (principal && spec.audit && deps.onInvalid) {
            const fields = ((err as SealpostError).details?.['issues'] as { path: string }[] | undefined)?.map((i) => i.path) ?? [];
            await deps.onInvalid(principal, spec.audit, fields).catch((e: unknown) => deps.log.error({ err: (e as Error).message }, 'could not audit a refused admin request'));
          }
          throw err;
        }
        const handler = deps.handlers[operation] as (r: unknown, c: AdminContext) => Promise<unknown>;
        const result = await handler(req, { principal, remoteAddress: request.socket.remoteAddress });
        return reply.code(200).send(spec.response.parse(result));
      },
    });
  }
  return app;
}
