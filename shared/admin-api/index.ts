export * from './roles.js';
export * from './errors.js';
export * from './routes.js';
export type * from './types.js';
export * as adminSchemas from './schemas.js';
export { AUDIT_OUTCOMES, REPORTED_ACTIONS, auditTarget, clearDetails } from './schemas.js';
