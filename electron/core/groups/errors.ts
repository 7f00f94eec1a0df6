import { SealpostError } from '../../../shared/errors/index.js';

/** Stable codes of the console's consumer-group actions. */
export const GROUP_ERRORS = {
  /** A reset was asked while the group has members: Kafka would let them overwrite it with their next commit. */
  groupActive: 'SP_CONSOLE_GROUP_ACTIVE',
  /** A partition named in the reset does not exist on the topic. */
  noSuchPartition: 'SP_CONSOLE_NO_SUCH_PARTITION',
  /** A reset was asked with no ingest service connected: there would be no audit trail to record it in. */
  needsAuditTrail: 'SP_CONSOLE_RESET_NEEDS_SERVICE',
  /** The reset was applied but the service did not record it: the operator must know it went unaudited. */
  unaudited: 'SP_CONSOLE_RESET_UNAUDITED',
} as const;

/** The sentence both the preview and the refusal show for a group with active members. */
export function activeGroupMessage(groupId: string, members: number, state: string): string {
  return (
    `Consumer group ${groupId} has ${members} active member${members === 1 ? '' : 's'} (state ${state}): ` +
    'stop its consumers first (they would overwrite the reset with their next commit), then apply again.'
  );
}

/** Raised by apply when the group has active members. */
export function groupActive(groupId: string, members: number, state: string): SealpostError {
  return new SealpostError(GROUP_ERRORS.groupActive, activeGroupMessage(groupId, members, state), { status: 409, details: { groupId, members, state } });
}
