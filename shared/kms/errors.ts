import { SealpostError } from '../errors/index.js';

/**
 * Stable codes for KMS failures while SEALING (and unwrapping the blind-index key). Every one is
 * retriable: none of them is the event's fault, each clears when the network, KMS, the credentials
 * or the key policy is fixed, and the forwarder must keep the events in the journal (sealed
 * nowhere, written nowhere in clear) until then. The code says which of those an operator fixes.
 */
export const KMS_ERRORS = {
  /** KMS could not be reached, timed out, throttled us or failed internally: wait and retry. */
  unavailable: 'SP_KMS_UNAVAILABLE',
  /** KMS answered AccessDenied: the service role lacks kms:GenerateDataKey/Encrypt/Decrypt on the key. */
  accessDenied: 'SP_KMS_ACCESS_DENIED',
  /** The key does not exist in that account/region, is disabled or pending deletion. */
  keyUnusable: 'SP_KMS_KEY_UNUSABLE',
  /** No usable AWS credentials (none found, expired, or rejected by AWS). */
  noCredentials: 'SP_KMS_NO_CREDENTIALS',
  /** A policy names a local key but no local key folder was given (configuration error). */
  noLocalKeys: 'SP_KMS_NO_LOCAL_KEYS',
  /** The department is not in the policy. */
  unknownDepartment: 'SP_KMS_UNKNOWN_DEPARTMENT',
  /** A wrapped blind-index key file is unreadable or not a KMS ciphertext. */
  wrappedKeyFile: 'SP_KMS_WRAPPED_KEY_FILE',
} as const;

export type KmsErrorCode = (typeof KMS_ERRORS)[keyof typeof KMS_ERRORS];

/** What went wrong with a KMS call, as one of a few kinds the callers branch on. */
export type KmsFailureKind = 'access_denied' | 'key_not_found' | 'key_disabled' | 'no_credentials' | 'sso_expired' | 'credentials_rejected' | 'tampered' | 'unreachable' | 'rejected';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * Sorts an error thrown by the AWS SDK (or a credential provider) into a kind. Works on names, not
 * messages, except for the credential providers, whose only signal is their message.
 */
export function kmsFailureKind(err: unknown): KmsFailureKind {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  const name = str(e.name);
  const message = str(e.message);
  switch (name) {
    case 'AccessDeniedException':
    case 'AccessDenied':
      return 'access_denied';
    case 'NotFoundException':
    case 'InvalidArnException':
      return 'key_not_found';
    case 'DisabledException':
    case 'KMSInvalidStateException':
    case 'KeyUnavailableException':
      return 'key_disabled';
    case 'InvalidCiphertextException':
    case 'IncorrectKeyException':
      return 'tampered';
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return 'credentials_rejected';
    case 'CredentialsProviderError':
    case 'TokenProviderError':
      // The SSO providers say "SSO session ... expired/invalid ... run aws sso login" (credential-provider-sso)
      // or "Token is expired ... aws sso login" (token-providers); everything else means "no credentials".
      return /sso login/i.test(message) || (/sso/i.test(message) && /expired/i.test(message)) ? 'sso_expired' : 'no_credentials';
    case 'ThrottlingException':
    case 'LimitExceededException':
    case 'KMSInternalException':
    case 'DependencyTimeoutException':
    case 'TimeoutError':
      return 'unreachable';
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'unreachable';
  const status = e.$metadata?.httpStatusCode;
  // An answer we could not parse still has a status: 401/403 is the front door refusing us (moto's IAM
  // enforcement answers XML there), 429/5xx is "later", any other 4xx is a request KMS will not take.
  if (status === 401 || status === 403) return 'access_denied';
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return 'rejected';
  // Anything else (5xx, timeouts, sockets) clears by waiting.
  if (e.cause && e.cause !== err && typeof e.cause === 'object' && !('$metadata' in e)) {
    const inner = kmsFailureKind(e.cause);
    if (inner !== 'unreachable') return inner;
  }
  return 'unreachable';
}

/** The error name and HTTP status of an SDK error, for details (never a personal value). */
export function kmsErrorDetails(err: unknown): { awsError: string | null; networkCode: string | null; httpStatus: number | null } {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } };
  return { awsError: str(e.name) || null, networkCode: str(e.code) || null, httpStatus: e.$metadata?.httpStatusCode ?? null };
}

/**
 * Turns a failed KMS call during sealing into a retriable SealpostError whose message says what to do.
 * `operation` is the KMS operation or step (GenerateDataKey, Decrypt, ...), `keyId` the key involved.
 */
export function kmsSealError(err: unknown, operation: string, keyId: string | undefined): SealpostError {
  if (err instanceof SealpostError) return err;
  const kind = kmsFailureKind(err);
  const key = keyId ?? 'the department key';
  const details = { ...kmsErrorDetails(err), operation, keyId: keyId ?? null, kind };
  const opts = { cause: err, retriable: true, status: 503, details };
  switch (kind) {
    case 'access_denied':
      return new SealpostError(KMS_ERRORS.accessDenied, `KMS refused ${operation} on ${key}: grant the service role kms:GenerateDataKey and kms:Encrypt on it (docs/kms.md); events wait in the journal meanwhile`, opts);
    case 'key_not_found':
    case 'key_disabled':
      return new SealpostError(KMS_ERRORS.keyUnusable, `KMS key ${key} is ${kind === 'key_disabled' ? 'disabled or pending deletion' : 'not found in its account/region'}: fix the key or the policy; events wait in the journal meanwhile`, opts);
    case 'no_credentials':
    case 'sso_expired':
    case 'credentials_rejected':
      return new SealpostError(KMS_ERRORS.noCredentials, `no usable AWS credentials for KMS ${operation} (${kind.replace('_', ' ')}): check the service's role or credential chain; events wait in the journal meanwhile`, opts);
    case 'rejected':
      return new SealpostError(KMS_ERRORS.keyUnusable, `KMS rejected ${operation} on ${key} (${String((err as Error)?.name ?? 'error')}); check the key id and key spec in the policy`, opts);
    case 'tampered':
      return new SealpostError(KMS_ERRORS.wrappedKeyFile, `KMS rejected the ciphertext given to ${operation} under ${key} (wrong key, wrong encryption context or damaged blob)`, opts);
    default:
      return new SealpostError(KMS_ERRORS.unavailable, `KMS is unreachable or throttling (${operation} on ${key}); events wait in the journal and are sealed when it answers`, opts);
  }
}
