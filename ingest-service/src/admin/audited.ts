import { isSealpostError } from '../../../shared/errors/index.js';
import type { AuditTrail } from '../audit/index.js';
import type { Logger } from '../log/logger.js';
import { ADMIN_ERRORS, adminError } from './errors.js';
import type { Principal } from './sign-in/sign-in.js';

export interface AuditedAction<T> {
  action: string;
  target: string;
  /** Clear details; may depend on the result. */
  details?: (result: T | undefined) => Record<string, unknown>;
  /** Operator-typed text (sealed in Kafka, never indexed). */
  note?: string;
}

/**
 * Runs an admin action and records its audit event with the outcome: `success`, or `failure` with
 * the error's code. When the action succeeded but its event cannot be journaled, the caller gets a
 * 503 that says the action WAS done, so nobody repeats a discard believing it failed.
 */
export async function audited<T>(audit: AuditTrail, log: Logger, principal: Principal, a: AuditedAction<T>, run: () => Promise<T> | T): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    const code = isSealpostError(err) ? err.code : 'SP_ADMIN_INTERNAL';
    await audit
      .record({ action: a.action, actor: principal.arn, target: a.target, outcome: 'failure', details: { ...(a.details?.(undefined) ?? {}), code }, ...(a.note ? { note: a.note } : {}) })
      .catch((e: unknown) => log.error({ code: (e as { code?: string }).code, action: a.action }, 'could not journal the audit event of a failed admin action'));
    throw err;
  }
  try {
    await audit.record({ action: a.action, actor: principal.arn, target: a.target, outcome: 'success', details: a.details?.(result) ?? {}, ...(a.note ? { note: a.note } : {}) });
  } catch (err) {
    log.error({ code: (err as { code?: string }).code, action: a.action, target: a.target }, 'admin action done but its audit event could not be journaled');
    throw adminError(ADMIN_ERRORS.auditFailed, 503, `${a.action} on ${a.target} WAS done, but its audit event could not be journaled (${(err as { code?: string }).code ?? 'error'}); check the journal (disk) before anything else`, {
      cause: err,
      retriable: false,
    });
  }
  return result;
}
