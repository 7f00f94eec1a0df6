import type { AdminRole } from '../../../../shared/admin-api/roles.js';
import type { LoginRequest } from '../../../../shared/admin-api/types.js';
import type { AdminConfig } from '../admin-config.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import { isLoopbackAddress } from '../../../../shared/net/index.js';
import { loadLocalToken, LOCAL_TOKEN_PREFIX } from './local-token.js';
import { checkLoginRequest } from './login-request.js';
import { clientKey, createKeyedRateLimiter } from '../../limits/keyed-rate-limiter.js';
import { createReplayGuard } from './replay-guard.js';
import { createRoleMapper } from './role-map.js';
import { createSessionTokens } from './session-tokens.js';
import { createStsAllowlist } from './sts-endpoints.js';
import { callSts, type CallerIdentity } from './sts-call.js';

/** Who is calling, once authenticated. */
export interface Principal {
  /** STS caller ARN, or `local-admin`. */
  arn: string;
  account: string | null;
  roles: AdminRole[];
  via: 'aws' | 'local-token';
  expiresAt: number | null;
}

export interface SignInOptions {
  admin: AdminConfig;
  dataDir: string;
  now: () => number;
  /** Override for tests that must show a host is never contacted; default callSts. */
  callSts?: typeof callSts;
  /** Signatures remembered against replay at most (default 100,000); beyond that sign-in answers 503. */
  replayGuardEntries?: number;
  /** Client addresses whose attempts are tracked at most (default 10,000); while all are busy a new address gets 429. */
  signInClients?: number;
}

/**
 * Authentication for the admin API: AWS sign-in (the Vault / aws-iam-authenticator pattern: the
 * caller proves its identity by a signed sts:GetCallerIdentity that the service rebuilds and sends
 * to STS itself) with short-lived sessions, and the loopback-only local admin token.
 */
export function createSignIn(opts: SignInOptions) {
  const { admin, now } = opts;
  const aws = admin.aws;
  const localEnabled = admin.localToken ?? !aws;
  const local = localEnabled ? loadLocalToken(opts.dataDir) : undefined;
  const mapRoles = createRoleMapper(aws?.roles ?? []);
  const guard = createReplayGuard({ now, ...(opts.replayGuardEntries ? { maxEntries: opts.replayGuardEntries } : {}) });
  const attempts = createKeyedRateLimiter({ perMinute: aws?.loginsPerMinute ?? 30, maxKeys: opts.signInClients ?? 10_000, whenFull: 'refuse', now });
  const allowlist = createStsAllowlist(aws?.stsEndpoints ?? []);
  const sessions = aws && admin.serverId ? createSessionTokens({ dataDir: opts.dataDir, serverId: admin.serverId, lifetimeSeconds: admin.sessionMinutes * 60, now }) : undefined;
  const sts = opts.callSts ?? callSts;

  return {
    awsEnabled: Boolean(aws),
    /** The local token, when enabled (its file, and whether it was created by this start). */
    localToken: local ? { file: local.file, createdNow: local.createdNow, token: local.token } : undefined,

    /**
     * Checks, rebuilds and sends the signed GetCallerIdentity; resolves with the caller STS vouches for.
     * Attempts are rate-limited per client address before anything else, so nobody can drive STS calls.
     */
    async verifyLogin(req: LoginRequest, remoteAddress: string | undefined): Promise<CallerIdentity> {
      if (!aws || !admin.serverId) {
        throw adminError(ADMIN_ERRORS.loginDisabled, 404, 'AWS sign-in is not configured on this server (admin.aws); use the local admin token on the server itself');
      }
      const client = clientKey(remoteAddress);
      if (!attempts.take(client)) {
        throw adminError(ADMIN_ERRORS.loginRateLimited, 429, `too many sign-in attempts from this address (admin.aws.loginsPerMinute: ${aws.loginsPerMinute}), or from too many addresses at once; wait and sign in again`, {
          retriable: true,
          details: { retryAfterSeconds: attempts.retryAfterSeconds(client) },
        });
      }
      const maxSkewMs = aws.maxSkewSeconds * 1000;
      const rebuilt = checkLoginRequest(req, { serverId: admin.serverId, maxSkewMs, now: now(), allowlist });
      const claim = guard.claim(rebuilt.signature, rebuilt.signedAt + maxSkewMs);
      if (claim === 'replayed') {
        throw adminError(ADMIN_ERRORS.loginReplayed, 401, 'this signed request was already used to sign in; sign a fresh one (each sign-in signs anew)');
      }
      if (claim === 'full') {
        throw adminError(ADMIN_ERRORS.loginBusy, 503, 'too many sign-ins in the last minutes to remember them all against replay; retry in a few minutes', { retriable: true });
      }
      try {
        return await sts(rebuilt, { timeoutMs: aws.timeoutMs });
      } catch (err) {
        guard.release(rebuilt.signature); // nobody was signed in by it: it holds no slot
        throw err;
      }
    },

    rolesOf: (arn: string): AdminRole[] => mapRoles(arn),

    async issue(identity: CallerIdentity): Promise<{ token: string; expiresAt: number }> {
      if (!sessions) throw adminError(ADMIN_ERRORS.loginDisabled, 404, 'AWS sign-in is not configured on this server (admin.aws)');
      return sessions.issue(identity);
    },

    /** The principal behind an Authorization header, or a 401/403 saying how to get one. */
    async authenticate(authorization: string | undefined, remoteAddress: string | undefined): Promise<Principal> {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!m) {
        throw adminError(ADMIN_ERRORS.unauthenticated, 401, aws ? 'no session: sign in with POST /admin/v1/login, then send Authorization: Bearer <token>' : 'no token: send Authorization: Bearer <local admin token> (see keys/admin-local.token in the data dir)');
      }
      const token = m[1]!;
      if (token.startsWith(LOCAL_TOKEN_PREFIX)) {
        if (!local) throw adminError(ADMIN_ERRORS.localTokenRefused, 401, 'the local admin token is disabled on this server (admin.localToken); sign in with AWS');
        if (!isLoopbackAddress(remoteAddress)) {
          throw adminError(ADMIN_ERRORS.localTokenRefused, 403, 'the local admin token is accepted from the server itself (loopback) only; sign in with AWS from elsewhere');
        }
        if (!local.matches(token)) throw adminError(ADMIN_ERRORS.localTokenRefused, 401, 'wrong local admin token; read it from keys/admin-local.token in the data dir');
        return { arn: 'local-admin', account: null, roles: ['admin'], via: 'local-token', expiresAt: null };
      }
      if (!sessions) throw adminError(ADMIN_ERRORS.sessionInvalid, 401, 'AWS sign-in is not configured on this server; use the local admin token');
      const claims = await sessions.verify(token);
      const roles = mapRoles(claims.arn);
      if (roles.length === 0) {
        throw adminError(ADMIN_ERRORS.noRole, 403, 'your identity is no longer mapped to an admin role on this server (admin.aws.roles); ask an admin');
      }
      return { arn: claims.arn, account: claims.account, roles, via: 'aws', expiresAt: claims.expiresAt };
    },
  };
}
export type SignIn = ReturnType<typeof createSignIn>;
