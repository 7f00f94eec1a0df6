export * from './policy-schema.js';
export * from './default-policy.js';
export * from './split-event.js';
