import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { z } from 'zod';
import { isLoopbackHost } from '../../../shared/net/index.js';
import type { bearerSchema } from '../config/config-schema.js';
import { configError, unauthenticated, unavailable } from './errors.js';

/** A source's parsed bearer settings (issuer, audience, JWKS URL or public key, algorithms). */
export type BearerConfig = z.infer<typeof bearerSchema>;

/** Checks one `Authorization: Bearer` header; resolves to the principal, rejects with a 401/503 SealpostError. */
export type BearerCheck = (authorization: string) => Promise<string>;

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i;

function loadKey(sourceId: string, publicKey: string): KeyObject {
  let pem = publicKey.trim();
  try {
    if (!pem.startsWith('-----BEGIN')) pem = readFileSync(pem, 'utf8');
    return createPublicKey(pem);
  } catch (cause) {
    throw configError(sourceId, 'bearer publicKey is neither a PEM public key nor a readable file holding one.', cause);
  }
}

/** The JWKS set; keys fetched over plain HTTP could be swapped in transit, so only loopback may use http. */
function remoteKeys(sourceId: string, jwksUrl: string): ReturnType<typeof createRemoteJWKSet> {
  const url = new URL(jwksUrl);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw configError(sourceId, 'bearer jwksUrl must be https:// (plain http only on loopback), or anyone on the path could substitute the keys.');
  }
  return createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
}

function principalOf(payload: JWTPayload): string {
  const id = payload.sub ?? (typeof payload['azp'] === 'string' ? payload['azp'] : undefined) ?? (typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined);
  return `bearer:${id ?? 'anonymous'}`;
}

function mapJoseError(err: unknown): Error {
  if (err instanceof joseErrors.JWTExpired) {
    return unauthenticated('expired_token', 'The bearer token has expired: the sender must fetch a new one from the authorisation server.', err);
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return unauthenticated('wrong_issuer', 'The bearer token was issued by another issuer than this source\'s verify issuer: check both settings.', err);
    if (err.claim === 'aud') return unauthenticated('wrong_audience', 'The bearer token is for another audience than this source\'s verify audience: check the audience the sender requests.', err);
    if (err.claim === 'nbf' || err.claim === 'iat') return unauthenticated('token_not_yet_valid', 'The bearer token is not valid yet: check the clocks of the sender and the authorisation server (NTP).', err);
    return unauthenticated('bad_token', `The bearer token's "${err.claim}" claim is missing or invalid; tokens must carry exp, iss and aud.`, err);
  }
  if (err instanceof joseErrors.JWKSTimeout || (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC') || err instanceof TypeError && /fetch/i.test(err.message)) {
    return unavailable('jwks_unavailable', 'The JWKS endpoint could not be read, so the bearer token cannot be checked now; retry later and check that jwksUrl is reachable from this server.', err);
  }
  return unauthenticated('bad_token', 'The bearer token is malformed, uses an algorithm not allowed, or is not signed by a key of the configured issuer.', err);
}

/**
 * Builds the bearer (OAuth 2.0 JWT) check of a source once: the JWKS set is created once so its keys
 * are fetched lazily and cached by jose (re-fetched on an unknown `kid`, at most every 30 s), or the
 * PEM key is imported once. Tokens must carry `exp`; algorithms are limited to the configured list.
 */
export function createBearerCheck(sourceId: string, cfg: BearerConfig, now: () => number): BearerCheck {
  const key = cfg.jwksUrl ? remoteKeys(sourceId, cfg.jwksUrl) : loadKey(sourceId, cfg.publicKey ?? '');
  return async (authorization: string) => {
    const match = BEARER.exec(authorization);
    if (!match) throw unauthenticated('bad_token', 'The Authorization header is not "Bearer <JWT>".');
    try {
      const { payload } = await jwtVerify(match[1]!, key as Parameters<typeof jwtVerify>[1], {
        issuer: cfg.issuer,
        audience: cfg.audience,
        algorithms: cfg.algorithms,
        clockTolerance: cfg.clockToleranceSeconds,
        currentDate: new Date(now()),
        requiredClaims: ['exp'],
      });
      return principalOf(payload);
    } catch (err) {
      throw mapJoseError(err);
    }
  };
}
