/** Stable codes of the audit trail. */
export const AUDIT_ERRORS = {
  /** The audit index database could not be opened; the message names the file. */
  indexOpen: 'SP_AUDIT_INDEX_OPEN',
  /** The audit source id collides with a configured source; rename admin.audit.source. */
  sourceCollision: 'SP_AUDIT_SOURCE_COLLISION',
  /** The policy has no rule the audit source falls under (an `events` rule or one named after the source). */
  noPolicyRule: 'SP_AUDIT_NO_POLICY_RULE',
  /** A query cursor that this server did not hand out. */
  badCursor: 'SP_AUDIT_BAD_CURSOR',
} as const;
