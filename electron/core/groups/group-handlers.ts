import type { Admin } from 'kafkajs';
import type { AuditRecordRequest, ClearDetails } from '../../../shared/admin-api/types.js';
import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { OffsetResetPlan } from '../../../shared/console-api/group-types.js';
import { isSealpostError, SealpostError } from '../../../shared/errors/index.js';
import { GROUP_ERRORS } from './errors.js';
import { applyOffsetReset, planOffsetReset, type OffsetResetArgs } from './offset-reset.js';

/** The channels of consumer-group actions. */
export type GroupChannel = 'groups:reset-preview' | 'groups:reset-apply';

export interface GroupHandlerDeps {
  /** Runs an admin call on the connected session, turning Kafka errors into ones a person can act on. */
  kafkaCall<T>(fn: (admin: Admin) => Promise<T>, topic: string): Promise<T>;
  /** True while an ingest service is connected: without one a reset would go unaudited, so it is refused. */
  connected(): boolean;
  /** Records to the service's audit trail and resolves once it has (rejects when it cannot). */
  recordAudit(event: AuditRecordRequest): Promise<void>;
  now?: () => number;
}

/** Clear facts of a reset for the audit trail: ids, counts and offsets, nothing personal. */
function facts(args: OffsetResetArgs, plan?: OffsetResetPlan): ClearDetails {
  const to = args.to;
  return {
    topic: args.topic,
    to: to.kind,
    ...(to.kind === 'time' ? { at: to.at } : {}),
    ...(to.kind === 'offset' ? { offset: to.offset } : {}),
    partitions: (plan?.partitions.map((p) => p.partition) ?? args.partitions ?? []).slice(0, 100),
    ...(plan ? { lagBefore: plan.lagBefore, lagAfter: plan.lagAfter, members: plan.members } : {}),
  };
}

/**
 * Offset resets: preview computes the new offsets and lag and writes nothing; apply recomputes, refuses while
 * the group has active members, commits, and is recorded in the audit trail (`offset-reset` on `group/<id>`:
 * success, denied when refused, failure otherwise). A reset rewrites what a department reads next, so it is never
 * unaudited: refused with no ingest service connected, and its success is answered only once the service has
 * recorded it (a reset applied but not recorded is an error the operator sees).
 */
export function groupHandlers(deps: GroupHandlerDeps): Pick<ConsoleHandlers, GroupChannel> {
  return {
    'groups:reset-preview': (args) => deps.kafkaCall((admin) => planOffsetReset(admin, args), args.topic),
    async 'groups:reset-apply'(args) {
      if (!deps.connected()) {
        throw new SealpostError(GROUP_ERRORS.needsAuditTrail, 'connect an ingest service first: resets are audited', { status: 409 });
      }
      const base = { action: 'offset-reset' as const, target: `group/${args.groupId}` };
      let plan: OffsetResetPlan;
      try {
        plan = await deps.kafkaCall((admin) => applyOffsetReset(admin, args, deps.now), args.topic);
      } catch (err) {
        const code = isSealpostError(err) ? err.code : 'SP_CONSOLE_INTERNAL';
        // The operator sees the refusal or failure itself; its report is recorded when the service can.
        await deps.recordAudit({ ...base, outcome: code === GROUP_ERRORS.groupActive ? 'denied' : 'failure', details: { ...facts(args), code } }).catch(() => {});
        throw err;
      }
      try {
        await deps.recordAudit({ ...base, outcome: 'success', details: facts(args, plan) });
      } catch (err) {
        const why = isSealpostError(err) ? err.message : 'the service did not answer';
        throw new SealpostError(
          GROUP_ERRORS.unaudited,
          `The reset of group ${args.groupId} on ${args.topic} WAS APPLIED, but the ingest service did not record it in the audit trail (${why}). Tell your security team, or reconnect and check the audit trail.`,
          { status: 502, cause: err },
        );
      }
      return plan;
    },
  };
}
