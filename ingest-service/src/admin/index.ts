export { startAdmin, type AdminHandle } from './start-admin.js';
export { adminSchema, type AdminConfig } from './admin-config.js';
export type { AdminServiceParts } from './admin-deps.js';
export { ADMIN_ERRORS, ADMIN_START_ERRORS } from './errors.js';
export { LOCAL_TOKEN_PREFIX } from './sign-in/local-token.js';
export { SERVER_ID_HEADER, GET_CALLER_IDENTITY_BODY } from '../../../shared/admin-api/sign-in-wire.js';
