import { SealpostError } from '../../../shared/errors/index.js';
import { ruleFor } from '../../../shared/policy/index.js';
import type { Config } from '../config/index.js';
import { AUDIT_ERRORS } from './errors.js';

/** The internal source the audit trail is journaled as, in the shape the forwarder's expander knows sources by. */
export interface AuditSource {
  id: string;
  kind: 'events';
  topic: string;
}

/**
 * The audit source of a config with an `admin` section (none without one). Checked at start: its id
 * must not be a configured source, and the policy must have a rule for it (its own or the `events`
 * rule), or audit events would become dead letters instead of sealed records.
 */
export function auditSourceFor(config: Config): AuditSource | undefined {
  if (!config.admin) return undefined;
  const { source, topic } = config.admin.audit;
  if (config.sources.some((s) => s.id === source)) {
    throw new SealpostError(AUDIT_ERRORS.sourceCollision, `admin.audit.source "${source}" is also a configured source id; pick another name for one of them`);
  }
  if (!ruleFor(config.policy, source, 'events')) {
    throw new SealpostError(AUDIT_ERRORS.noPolicyRule, `the policy has no rule for the audit source "${source}": add an "events" rule (or one named "${source}") under policy.rules`);
  }
  return { id: source, kind: 'events', topic };
}

/** Sources the service journals itself (today: the audit source), for the expander's source map. */
export function internalSources(config: Config): AuditSource[] {
  const audit = auditSourceFor(config);
  return audit ? [audit] : [];
}
