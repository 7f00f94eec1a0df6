export * from './contract.js';
export * from './api.js';
export * from './errors.js';
export * from './dispatch.js';
export type * from './types.js';
export type * from './service-types.js';
export * as schemas from './schemas.js';
export * as serviceSchemas from './service-schemas.js';
