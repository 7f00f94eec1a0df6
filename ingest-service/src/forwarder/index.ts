export { createForwarder, type Forwarder } from './forwarder.js';
export { backoffDelay } from './backoff.js';
export { FORWARDER_ERRORS, FORWARDER_DEAD_LETTER_REASONS } from './errors.js';
export type * from './types.js';
