import { createKeyedRateLimiter } from '../../limits/keyed-rate-limiter.js';
import type { AdminDeps } from '../admin-deps.js';
import { audited } from '../audited.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import type { AdminHandlers } from '../server.js';

/** Forgets per caller per minute: a data-subject request queue worked through by hand or a script fits; a runaway loop does not. */
export const FORGETS_PER_MINUTE = 60;

/**
 * Forgetting a person (docs/forget.md). The audit event names the caller, the time, the subject's blind
 * index (target `subject/<index>`) and keeps the reason as its sealed note; the address is never in it.
 * Every outcome is audited: success, failure (Kafka away, subject keys off) and, through the route's
 * `audit` action, a 403 or a body that breaks the contract. A caller over the rate limit gets a 429 that
 * is logged but not audited (an audit event per refused flood would be the flood).
 */
export function forgetHandlers(deps: AdminDeps): Pick<AdminHandlers, 'forgetSubject'> {
  const limiter = createKeyedRateLimiter({ perMinute: FORGETS_PER_MINUTE, burst: 20, maxKeys: 1000, now: deps.now });
  return {
    async forgetSubject({ body }, { principal }) {
      const p = principal!;
      if (!limiter.take(p.arn)) {
        const retryAfterSeconds = limiter.retryAfterSeconds(p.arn);
        throw adminError(ADMIN_ERRORS.rateLimited, 429, `too many forget requests from this caller (${FORGETS_PER_MINUTE} a minute); retry in ${retryAfterSeconds} s`, { retriable: true, details: { retryAfterSeconds } });
      }
      const subjects = deps.subjects;
      const subject = subjects ? await subjects.subjectOf(body.address).catch(() => undefined) : undefined;
      return audited(
        deps.audit,
        deps.log,
        p,
        {
          action: 'forget',
          target: `subject/${subject ?? 'unknown'}`,
          details: (r) => (r ? { subject: r.subject, keysTombstoned: r.keysTombstoned, departments: r.departments } : subject ? { subject } : {}),
          note: body.reason,
        },
        async () => {
          if (!subjects) {
            if (!deps.config.kafka) throw adminError(ADMIN_ERRORS.noKafka, 409, 'no Kafka is configured on this server: there are no subject keys to tombstone');
            throw adminError(ADMIN_ERRORS.subjectKeysOff, 409, 'subject keys are off on this server (subjectKeys.enabled: false): sections are sealed under department keys only, so one person cannot be forgotten; see docs/forget.md');
          }
          return subjects.forget(body.address);
        },
      );
    },
  };
}
