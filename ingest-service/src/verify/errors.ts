import { SealpostError } from '../../../shared/errors/index.js';

/** Stable codes of the errors sender verification raises; `details.reason` narrows them further. */
export const VERIFY_ERRORS = {
  /** Missing, malformed, wrong or stale credentials: 401. */
  unauthenticated: 'SP_VERIFY_UNAUTHENTICATED',
  /** Properly signed, but not allowed here (topic, certificate host): 403. */
  forbidden: 'SP_VERIFY_FORBIDDEN',
  /** A key or certificate we need could not be obtained right now: 503, the sender should retry. */
  unavailable: 'SP_VERIFY_UNAVAILABLE',
  /** The source's verify settings cannot be used (bad key, unreadable file): raised at start. */
  config: 'SP_VERIFY_CONFIG',
  /** Visiting an SNS SubscribeURL failed. */
  confirmFailed: 'SP_SNS_CONFIRM_FAILED',
} as const;

/**
 * Stable labels for `details.reason`, used as the `reason` label of `sealpost_requests_rejected_total`.
 * Kept in one list so that a metrics dashboard can enumerate them.
 */
export const VERIFY_REASONS = [
  'missing_signature',
  'missing_timestamp',
  'missing_token',
  'missing_credentials',
  'ambiguous_header',
  'bad_timestamp',
  'stale_timestamp',
  'bad_signature',
  'bad_token',
  'expired_token',
  'token_not_yet_valid',
  'wrong_issuer',
  'wrong_audience',
  'jwks_unavailable',
  'malformed_sns_message',
  'unsupported_signature_version',
  'topic_not_allowed',
  'cert_url_not_allowed',
  'subscribe_url_not_allowed',
  'cert_unavailable',
  'bad_certificate',
] as const;
export type VerifyReason = (typeof VERIFY_REASONS)[number];

/** A 401: the request did not prove who sent it. */
export function unauthenticated(reason: VerifyReason, message: string, cause?: unknown): SealpostError {
  return new SealpostError(VERIFY_ERRORS.unauthenticated, message, { status: 401, retriable: false, details: { reason }, cause });
}

/** A 403: the sender proved who it is, but is not allowed here. */
export function forbidden(reason: VerifyReason, message: string, cause?: unknown): SealpostError {
  return new SealpostError(VERIFY_ERRORS.forbidden, message, { status: 403, retriable: false, details: { reason }, cause });
}

/** A 503: verification could not be completed now (certificate or JWKS unreachable); retrying may succeed. */
export function unavailable(reason: VerifyReason, message: string, cause?: unknown): SealpostError {
  return new SealpostError(VERIFY_ERRORS.unavailable, message, { status: 503, retriable: true, details: { reason }, cause });
}

/** A configuration problem found when the verifier is built; names the source, never the secret. */
export function configError(sourceId: string, message: string, cause?: unknown): SealpostError {
  return new SealpostError(VERIFY_ERRORS.config, `source "${sourceId}": ${message}`, { status: 500, retriable: false, details: { source: sourceId }, cause });
}
