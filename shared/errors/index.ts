export { SealpostError, isSealpostError, type SealpostErrorOptions } from './sealpost-error.js';
