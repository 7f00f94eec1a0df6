import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';
import { loadOrCreateKeyFile } from '../../../../shared/seal/key-file.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';

/** What a session token proves: who signed in (the STS caller ARN), to which server, until when. */
export interface SessionClaims {
  arn: string;
  account: string;
  expiresAt: number;
}

const AUDIENCE = 'sealpost-admin';

/**
 * Short-lived admin sessions: an HS256 JWT whose key is `<dataDir>/keys/admin-session.key` (32
 * random bytes, 0600, created on first start). HMAC, because the service is both issuer and only
 * verifier; the key file survives restarts so sessions do too. Roles are NOT in the token: they are
 * mapped from the ARN on every request, so a config change applies at once.
 */
export function createSessionTokens(opts: { dataDir: string; serverId: string; lifetimeSeconds: number; now: () => number }) {
  const key = new Uint8Array(loadOrCreateKeyFile(join(opts.dataDir, 'keys', 'admin-session.key')));
  const issuer = `sealpost:${opts.serverId}`;
  return {
    async issue(identity: { arn: string; account: string }): Promise<{ token: string; expiresAt: number }> {
      const iat = Math.floor(opts.now() / 1000);
      const exp = iat + opts.lifetimeSeconds;
      const token = await new SignJWT({ acct: identity.account })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(identity.arn)
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token: string): Promise<SessionClaims> {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: new Date(opts.now()),
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        return { arn: payload.sub!, account: String(payload.acct ?? ''), expiresAt: payload.exp! * 1000 };
      } catch (err) {
        const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
        throw adminError(
          ADMIN_ERRORS.sessionInvalid,
          401,
          expired ? 'the admin session expired; sign in again (POST /admin/v1/login)' : 'the session token does not verify on this server (another server, or its key changed); sign in again',
          { cause: err, details: { expired } },
        );
      }
    },
  };
}
export type SessionTokens = ReturnType<typeof createSessionTokens>;
