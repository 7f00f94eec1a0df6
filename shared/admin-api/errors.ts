/**
 * Stable codes the admin API answers with. The console branches on them (sign in again, ask for a
 * role, retry later), so they live in the contract rather than in the service alone.
 */
export const ADMIN_ERRORS = {
  /** No session (no or malformed Authorization header): sign in with POST /admin/v1/login. */
  unauthenticated: 'SP_ADMIN_UNAUTHENTICATED',
  /** The session token expired or does not verify (another server, rotated key): sign in again. */
  sessionInvalid: 'SP_ADMIN_SESSION_INVALID',
  /** The local admin token was presented from a non-loopback address, or is wrong. */
  localTokenRefused: 'SP_ADMIN_LOCAL_TOKEN_REFUSED',
  /** The session's roles do not include the permission the request needs. */
  forbidden: 'SP_ADMIN_FORBIDDEN',
  /** AWS sign-in is not configured on this server (admin.aws). */
  loginDisabled: 'SP_ADMIN_LOGIN_DISABLED',
  /** The signed login request is malformed (not a GetCallerIdentity POST, bad Authorization header...). */
  loginMalformed: 'SP_ADMIN_LOGIN_MALFORMED',
  /** X-Sealpost-Server-ID missing, not signed, or naming another server. */
  loginServerId: 'SP_ADMIN_LOGIN_SERVER_ID',
  /** X-Amz-Date is outside the accepted window: check the laptop's clock, sign again. */
  loginStale: 'SP_ADMIN_LOGIN_STALE',
  /** This exact signature was already used: sign a fresh request. */
  loginReplayed: 'SP_ADMIN_LOGIN_REPLAYED',
  /** Too many sign-in attempts from one client address: wait (details.retryAfterSeconds) and retry. */
  loginRateLimited: 'SP_ADMIN_LOGIN_RATE_LIMITED',
  /** The replay guard is full of fresh signatures: retry in a few minutes. */
  loginBusy: 'SP_ADMIN_LOGIN_BUSY',
  /** The signed request names an STS endpoint that is not allowlisted (admin.aws.stsEndpoints). */
  loginEndpoint: 'SP_ADMIN_LOGIN_ENDPOINT',
  /** STS refused the signature (forged, expired credentials...). */
  loginRejected: 'SP_ADMIN_LOGIN_REJECTED',
  /** STS could not be reached or answered something unreadable: retry. */
  stsUnavailable: 'SP_ADMIN_STS_UNAVAILABLE',
  /** The identity is genuine but mapped to no admin role. */
  noRole: 'SP_ADMIN_NO_ROLE',
  /** Request parameters or body do not match the contract. */
  badRequest: 'SP_ADMIN_BAD_REQUEST',
  /** Unknown source, dead letter, replay job or route. */
  notFound: 'SP_ADMIN_NOT_FOUND',
  /** Email activity is switched off on this server (activity.enabled: false). */
  activityOff: 'SP_ADMIN_ACTIVITY_OFF',
  /** The action needs Kafka, and this server has none configured. */
  noKafka: 'SP_ADMIN_NO_KAFKA',
  /** Too many requests of this kind from one caller: wait (details.retryAfterSeconds) and retry. */
  rateLimited: 'SP_ADMIN_RATE_LIMITED',
  /** Subject keys are off on this server (subjectKeys.enabled: false): nothing is sealed per person, so nobody can be forgotten. */
  subjectKeysOff: 'SP_ADMIN_SUBJECT_KEYS_OFF',
  /** The action was done but its audit event could not be journaled. */
  auditFailed: 'SP_ADMIN_AUDIT_FAILED',
  /** Something unexpected; the message says what was and was not done. */
  internal: 'SP_ADMIN_INTERNAL',
} as const;
export type AdminErrorCode = (typeof ADMIN_ERRORS)[keyof typeof ADMIN_ERRORS];
