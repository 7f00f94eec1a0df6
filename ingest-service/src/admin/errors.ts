import { ADMIN_ERRORS } from '../../../shared/admin-api/errors.js';
import { SealpostError, type SealpostErrorOptions } from '../../../shared/errors/index.js';

/** The admin API's codes live in the contract (shared/admin-api/errors.ts): the console branches on them. */
export { ADMIN_ERRORS };

/** Codes of the admin listener's start-up checks. */
export const ADMIN_START_ERRORS = {
  /** The admin listener is off loopback without TLS. */
  plainOffLoopback: 'SP_ADMIN_PLAIN_OFF_LOOPBACK',
  /** admin.listen.tls is `ingest` but the ingest listener has no TLS. */
  noIngestTls: 'SP_ADMIN_NO_INGEST_TLS',
  /** Neither AWS sign-in nor the local token is enabled: nobody could use the API. */
  noAuth: 'SP_ADMIN_NO_AUTH',
} as const;

/** A SealpostError for an admin API answer: status and message say what to do next. */
export function adminError(code: string, status: number, message: string, opts: Omit<SealpostErrorOptions, 'status'> = {}): SealpostError {
  return new SealpostError(code, message, { ...opts, status });
}
