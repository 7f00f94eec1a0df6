import type { Server as HttpServer, ServerOptions as HttpServerOptions } from 'node:http';
import { z } from 'zod';

/**
 * Timeouts and a connection cap for a listener (`listen.limits`, `admin.listen.limits`). Without
 * them a client that sends headers and part of a body holds its connection forever, unauthenticated.
 * The defaults are far above what SendGrid (batches of at most 768 KB, sent at once) and SNS (a 15 s
 * delivery timeout) ever need, and keep-alive outlasts the 60 s idle timeout of common load balancers.
 */
export const listenerLimitsSchema = z
  .strictObject({
    /** The whole request (headers and body) must arrive within this; else 408 and the connection is closed. */
    requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
    /** The request headers must arrive within this. */
    headersTimeoutMs: z.number().int().min(100).max(3_600_000).default(20_000),
    /** A connection kept open for a next request is closed after this long without one. */
    keepAliveTimeoutMs: z.number().int().min(100).max(3_600_000).default(72_000),
    /** A connection on which nothing arrives for this long, mid-request, is closed. */
    idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** Connections open at once; further ones are closed as soon as they are accepted. */
    maxConnections: z.number().int().min(1).max(1_000_000).default(1000),
  })
  .refine((l) => l.headersTimeoutMs <= l.requestTimeoutMs, { message: 'headersTimeoutMs must not exceed requestTimeoutMs', path: ['headersTimeoutMs'] });

/** The validated limits of one listener. */
export type ListenerLimits = z.infer<typeof listenerLimitsSchema>;

/** The defaults, for schemas that default the whole listener section. */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = listenerLimitsSchema.parse({});

/**
 * Options for the Node server fastify creates: timeouts are only checked every
 * connectionsCheckingInterval, so it is kept to a quarter of the shortest one (30 s at most).
 */
function nodeServerOptions(limits: ListenerLimits): HttpServerOptions {
  return {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** The fastify options that carry the limits (merge into the fastify() options; TLS: pass the https options). */
export function fastifyLimitOptions(limits: ListenerLimits, https: { cert: Buffer; key: Buffer } | null) {
  const node = nodeServerOptions(limits);
  return {
    ...(https ? { https: { ...https, ...node } } : { http: node }),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
  };
}

/** What fastify does not set itself: the connection cap (and headersTimeout again, for clarity). */
export function applyListenerLimits(server: HttpServer, limits: ListenerLimits): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
}
