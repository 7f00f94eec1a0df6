export * from './config-schema.js';
export * from './load-config.js';
export * from './embedded-default.js';
export * from './errors.js';
