import { join } from 'node:path';
import { SealpostError } from '../errors/index.js';
import { normaliseAddress } from '../policy/split-event.js';
import { loadOrCreateKeyFile } from '../seal/key-file.js';
import { BLIND_INDEX_ERRORS } from './errors.js';
import { createKeyedRef, KEYED_REF_BYTES } from './keyed-ref.js';

/** Bytes of HMAC-SHA256 kept in a blind index (see keyed-ref.ts). */
export const BLIND_INDEX_BYTES = KEYED_REF_BYTES;

/** Computes the blind index of an address; the same key gives the same index for every spelling. */
export interface BlindIndexer {
  (address: string): string;
  /**
   * The indexes of many addresses, in order: the same values as one call each, in one native call when the
   * native core is built, so a suppression check of 10,000 addresses or a batch of events does not pay a
   * createHmac object per address.
   */
  many(addresses: readonly string[]): string[];
}

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
  const ref = createKeyedRef(key);
  const one = (address: string): string => ref(normaliseAddress(address));
  return Object.assign(one, { many: (addresses: readonly string[]) => ref.many(addresses.map(normaliseAddress)) });
}

/**
 * The embedded default's blind-index key: 32 random bytes in `<dir>/blind-index.hmac.key` (a dot, so no department key name can collide), same file
 * rules as the department keys (0600 in a 0700 folder, refused when others can read it). Losing it
 * changes every index (searches and partitioning by recipient restart), so back it up with the keys.
 */
export function loadOrCreateBlindIndexKey(dir: string, options: { create?: boolean } = {}): Buffer {
  return loadOrCreateKeyFile(join(dir, 'blind-index.hmac.key'), options);
}
