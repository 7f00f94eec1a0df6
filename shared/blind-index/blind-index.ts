import { createHmac, createSecretKey } from 'node:crypto';
import { join } from 'node:path';
import { SealpostError } from '../errors/index.js';
import { normaliseAddress } from '../policy/split-event.js';
import { loadOrCreateKeyFile } from '../seal/key-file.js';
import { BLIND_INDEX_ERRORS } from './errors.js';

/** Bytes of HMAC-SHA256 kept: 128 bits is ample against collisions and keeps Kafka keys short (22 chars). */
export const BLIND_INDEX_BYTES = 16;

/** Computes the blind index of an address; the same key gives the same index for every spelling. */
export type BlindIndexer = (address: string) => string;

/**
 * The blind index: base64url(HMAC-SHA256(key, normaliseAddress(address)))[first 16 bytes]. Keyed, so
 * nobody without the key can confirm a guessed address against Kafka keys; normalised, so
 * "Bob <Bob@Example.com>" and " bob@example.com " land on one key (and one partition, in order).
 * Takes raw key bytes so a local key file and a KMS-unwrapped key work alike; the bytes are copied.
 */
export function createBlindIndexer(key: Uint8Array): BlindIndexer {
  if (key.byteLength < 32) {
    throw new SealpostError(BLIND_INDEX_ERRORS.weakKey, `the blind-index key is ${key.byteLength} bytes; it must be at least 32 random bytes`);
  }
  // The KeyObject keeps its own copy of the bytes: no intermediate copy is left behind for the caller to miss.
  const secret = createSecretKey(key);
  return (address: string): string =>
    createHmac('sha256', secret).update(normaliseAddress(address), 'utf8').digest().subarray(0, BLIND_INDEX_BYTES).toString('base64url');
}

/**
 * The embedded default's blind-index key: 32 random bytes in `<dir>/blind-index.hmac.key` (a dot, so no department key name can collide), same file
 * rules as the department keys (0600 in a 0700 folder, refused when others can read it). Losing it
 * changes every index (searches and partitioning by recipient restart), so back it up with the keys.
 */
export function loadOrCreateBlindIndexKey(dir: string, options: { create?: boolean } = {}): Buffer {
  return loadOrCreateKeyFile(join(dir, 'blind-index.hmac.key'), options);
}
