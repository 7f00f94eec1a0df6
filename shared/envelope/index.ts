export * from './envelope.js';
export * from './parse-envelope.js';
