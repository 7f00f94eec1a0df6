import { STATUS_CODES, type Server as HttpServer, type ServerOptions as HttpServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
import { z } from 'zod';

/** Codes of the refusals the listener itself answers, before any route runs. */
export const LISTENER_ERRORS = {
  /** Headers or the whole request did not arrive within headersTimeoutMs / requestTimeoutMs: 408. */
  requestTimeout: 'SP_REQUEST_TIMEOUT',
  /** The request headers are larger than Node accepts (16 KiB): 431. */
  headersTooLarge: 'SP_HEADERS_TOO_LARGE',
  /** Not parseable as HTTP/1.1: 400. */
  malformedHttp: 'SP_MALFORMED_HTTP',
} as const;

/** Refusal reasons of a TLS listener, before any HTTP: nothing can be answered, the connection is closed. */
export const TLS_REFUSALS = {
  /** The TLS handshake did not complete within headersTimeoutMs (a silent or slow client). */
  handshakeTimeout: 'tls_handshake_timeout',
  /** The handshake failed (not TLS, no shared cipher or version, a bad record). */
  handshakeFailed: 'tls_handshake_failed',
} as const;

/** Told of every connection or request the listener refuses on its own (reason label, status, peer address). */
export type ListenerRefused = (reason: string, status: number, client: string | undefined) => void;

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

/**
 * Answers what Node refuses before fastify sees a request (timeouts, oversized or malformed headers)
 * with a JSON error in the service's shape, and reports it so it is logged like every other refusal.
 */
function clientErrorHandler(refused: ListenerRefused) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, reason, message] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, LISTENER_ERRORS.requestTimeout, 'request_timeout', 'the request did not arrive in time (listen.limits); send headers and body without pausing']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, LISTENER_ERRORS.headersTooLarge, 'headers_too_large', 'the request headers are larger than 16 KiB']
          : [400, LISTENER_ERRORS.malformedHttp, 'malformed_http', 'the request is not valid HTTP/1.1'];
    refused(reason, status, socket.remoteAddress);
    if (socket.writable) {
      const body = JSON.stringify({ error: { code, message, retriable: status === 408 } });
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy(err);
  };
}

/** The fastify options that carry the limits (merge into the fastify() options; TLS: pass the https options). */
export function fastifyLimitOptions(limits: ListenerLimits, https: { cert: Buffer; key: Buffer } | null, refused: ListenerRefused) {
  const node = nodeServerOptions(limits);
  return {
    // Node's request, headers and idle timers only start once TLS is up: the handshake has its own (120 s by default).
    ...(https ? { https: { ...https, ...node, handshakeTimeout: limits.headersTimeoutMs } } : { http: node }),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    clientErrorHandler: clientErrorHandler(refused),
  };
}

/**
 * What fastify does not set itself: the connection cap, whose drops are reported as refusals too, and
 * on a TLS listener the handshakes that time out or fail (a client that connects and says nothing).
 */
export function applyListenerLimits(server: HttpServer, limits: ListenerLimits, refused: ListenerRefused): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.on('drop', (data) => refused('too_many_connections', 0, data?.remoteAddress));
  if (server instanceof TlsServer) {
    server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
      if (err.code === 'ECONNRESET') return; // the client left: nothing refused
      refused(err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? TLS_REFUSALS.handshakeTimeout : TLS_REFUSALS.handshakeFailed, 0, socket.remoteAddress);
    });
  }
}
