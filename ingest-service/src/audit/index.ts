export { createAuditTrail, AUDIT_TYPE_PREFIX, type AuditTrail, type AuditInput } from './audit-trail.js';
export { openAuditIndex, type AuditIndex, type AuditIndexQuery, type AuditIndexRow, type IndexedAuditEvent } from './audit-index.js';
export { auditSourceFor, internalSources, type AuditSource } from './audit-source.js';
export { actorFacts, actorLabel, LOCAL_ACTOR, type ActorFacts } from './actor.js';
export { AUDIT_ERRORS } from './errors.js';
