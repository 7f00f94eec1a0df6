export { AT_REST_ERRORS } from './errors.js';
export { AT_REST_KEY_BYTES, createAtRestCipher, type AtRestCipher } from './aes-gcm.js';
