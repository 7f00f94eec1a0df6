export { BLIND_INDEX_BYTES, createBlindIndexer, loadOrCreateBlindIndexKey, type BlindIndexer } from './blind-index.js';
export { BLIND_INDEX_ERRORS } from './errors.js';
