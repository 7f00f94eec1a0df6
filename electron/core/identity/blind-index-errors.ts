import { SealpostError } from '../../../shared/errors/index.js';
import { INDEX_KEY_CONTEXT } from '../../../shared/blind-index/kms-wrapped-key.js';
import { kmsErrorDetails, kmsFailureKind } from '../../../shared/kms/index.js';
import { CONSOLE_ERRORS } from '../errors.js';

/** What the console was doing when unwrapping the blind-index key failed, for the message. */
export interface UnwrapContext {
  /** AWS profile name (without "aws:"). */
  profile: string;
  /** The KMS key that wraps the blind-index key (ARN as the wrapped file records it). */
  keyArn: string;
  /** The wrapped key file. */
  path: string;
  /** Where KMS was asked (endpoint or region). */
  kmsWhere: string;
}

const CONTEXT = Object.entries(INDEX_KEY_CONTEXT)
  .map(([k, v]) => `kms:EncryptionContext:${k} = ${v}`)
  .join(', ');

/**
 * Turns a failure to unwrap the KMS-wrapped blind-index key into an error the operator can act on:
 * which profile, which key, what to ask for or run. The KMS error is sorted by the same classifier
 * the section lock reasons use (kmsFailureKind), on the SDK error itself (`cause` of the SP_KMS_*
 * error the unwrap raised). File problems (not a wrapped key) say where the file comes from.
 */
export function blindIndexUnwrapError(err: unknown, ctx: UnwrapContext): SealpostError {
  const kmsCall = err instanceof SealpostError ? (err.details?.operation !== undefined ? err.cause : undefined) : err;
  if (kmsCall === undefined) {
    return new SealpostError(
      CONSOLE_ERRORS.noBlindIndexKey,
      `The KMS-wrapped blind-index key could not be read (${(err as Error)?.message ?? 'unknown error'}). Copy it again from the ingest service's key folder.`,
      { cause: err, status: 400, details: { path: ctx.path } },
    );
  }
  const kind = kmsFailureKind(kmsCall);
  const p = ctx.profile;
  const details = { ...kmsErrorDetails(kmsCall), profile: p, keyArn: ctx.keyArn, kind };
  const opts = { cause: err, details };
  switch (kind) {
    case 'access_denied':
    case 'key_not_found':
      return new SealpostError(
        CONSOLE_ERRORS.blindIndexDenied,
        `Profile ${p} may not unwrap the blind-index key ${ctx.keyArn}` +
          (kind === 'key_not_found' ? ' (KMS says the key is not visible to it: another account or region, or deleted)' : '') +
          `, so it cannot search by recipient address. Ask the key's owner for kms:Decrypt on it with the condition ${CONTEXT} (docs/kms.md), or pick a profile that has it.`,
        { ...opts, status: 403 },
      );
    case 'sso_expired':
      return new SealpostError(CONSOLE_ERRORS.ssoExpired, `The AWS SSO session of profile ${p} has expired or was never started: run \`aws sso login --profile ${p}\`, then search again.`, {
        ...opts,
        status: 401,
        retriable: true,
      });
    case 'no_credentials':
      return new SealpostError(
        CONSOLE_ERRORS.noCredentials,
        `Profile ${p} has no usable AWS credentials, so it cannot unwrap the blind-index key. Add them to your AWS config files (\`aws configure --profile ${p}\`) or pick another profile.`,
        { ...opts, status: 401 },
      );
    case 'credentials_rejected':
      return new SealpostError(
        CONSOLE_ERRORS.noCredentials,
        `AWS rejected the credentials of profile ${p} (expired or revoked). Refresh them (\`aws sso login --profile ${p}\` or new keys), then search again.`,
        { ...opts, status: 401, retriable: true },
      );
    case 'unreachable':
      return new SealpostError(
        CONSOLE_ERRORS.kmsUnreachable,
        `KMS (${ctx.kmsWhere}) did not answer or throttled while unwrapping the blind-index key. Check the network or VPN, then search again.`,
        { ...opts, status: 503, retriable: true },
      );
    case 'key_disabled':
      return new SealpostError(CONSOLE_ERRORS.blindIndexKeyUnusable, `The key ${ctx.keyArn} that wraps the blind-index key is disabled or pending deletion; ask its owner to re-enable it.`, {
        ...opts,
        status: 409,
      });
    case 'tampered':
      return new SealpostError(
        CONSOLE_ERRORS.blindIndexKeyUnusable,
        `KMS refused ${ctx.path} as ciphertext of ${ctx.keyArn} (damaged, or wrapped under another key). Copy the ingest service's current wrapped key file again.`,
        { ...opts, status: 409 },
      );
    default:
      return new SealpostError(
        CONSOLE_ERRORS.blindIndexKeyUnusable,
        `KMS rejected unwrapping the blind-index key with ${ctx.keyArn} (${String(details.awsError ?? 'error')}); check the key in ${ctx.path}.`,
        { ...opts, status: 409 },
      );
  }
}
