import type { Admin } from 'kafkajs';
import type { AuditRecordRequest, ClearDetails } from '../../../shared/admin-api/types.js';
import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { OffsetResetPlan } from '../../../shared/console-api/group-types.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { GROUP_ERRORS } from './errors.js';
import { applyOffsetReset, planOffsetReset, type OffsetResetArgs } from './offset-reset.js';

/** The channels of consumer-group actions. */
export type GroupChannel = 'groups:reset-preview' | 'groups:reset-apply';

export interface GroupHandlerDeps {
  /** Runs an admin call on the connected session, turning Kafka errors into ones a person can act on. */
  kafkaCall<T>(fn: (admin: Admin) => Promise<T>, topic: string): Promise<T>;
  /** Reports to the service's audit trail (returns at once; a no-op when no service is connected). */
  report(event: AuditRecordRequest): void;
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
 * the group has active members, commits, and is reported to the audit trail like every console action
 * (`offset-reset` on `group/<id>`: success, denied when refused, failure otherwise).
 */
export function groupHandlers(deps: GroupHandlerDeps): Pick<ConsoleHandlers, GroupChannel> {
  const safeReport = (event: AuditRecordRequest): void => {
    try {
      deps.report(event);
    } catch {
      /* reporting never breaks the operator's action */
    }
  };
  return {
    'groups:reset-preview': (args) => deps.kafkaCall((admin) => planOffsetReset(admin, args), args.topic),
    async 'groups:reset-apply'(args) {
      const base = { action: 'offset-reset' as const, target: `group/${args.groupId}` };
      try {
        const plan = await deps.kafkaCall((admin) => applyOffsetReset(admin, args, deps.now), args.topic);
        safeReport({ ...base, outcome: 'success', details: facts(args, plan) });
        return plan;
      } catch (err) {
        const code = isSealpostError(err) ? err.code : 'SP_CONSOLE_INTERNAL';
        safeReport({ ...base, outcome: code === GROUP_ERRORS.groupActive ? 'denied' : 'failure', details: { ...facts(args), code } });
        throw err;
      }
    },
  };
}
