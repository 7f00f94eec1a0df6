import { createHmac, createSecretKey } from 'node:crypto';
import { join } from 'node:path';
import { SealpostError } from '../errors/index.js';
import { normaliseAddress } from '../policy/split-event.js';
import { loadOrCreateKeyFile } from '../seal/key-file.js';
import { nativeSeal } from '../seal/native-seal.js';
import { BLIND_INDEX_ERRORS } from './errors.js';

/** Bytes of HMAC-SHA256 kept: 128 bits is ample against collisions and keeps Kafka keys short (22 chars). */
export const BLIND_INDEX_BYTES = 16;
/** Characters of one blind index (base64url of BLIND_INDEX_BYTES, no padding). */
const INDEX_CHARS = 22;

/** Computes the blind index of an address; the same key gives the same index for every spelling. */
export interface BlindIndexer {
  (address: string): string;
  /**
   * The indexes of many addresses, in order: the same values as one call each, computed in one native
   * call when the native core is built (native/seal/blind-index.c), so a suppression check of 10,000
   * addresses does not pay a createHmac object per address.
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
  // The KeyObject keeps its own copy of the bytes: no intermediate copy is left behind for the caller to miss.
  const secret = createSecretKey(key);
  const one = (address: string): string => createHmac('sha256', secret).update(normaliseAddress(address), 'utf8').digest().subarray(0, BLIND_INDEX_BYTES).toString('base64url');
  const native = nativeSeal();
  // The native core takes the raw key (at most one SHA-256 block: longer keys are hashed first by HMAC, which it does not do).
  const raw = native && key.byteLength <= 64 ? Buffer.from(secret.export()) : undefined;
  const many = (addresses: readonly string[]): string[] => {
    if (!native || !raw || addresses.length < 2) return addresses.map(one);
    const values = addresses.map(normaliseAddress);
    const lengths = new Uint32Array(values.length);
    let total = 0;
    for (let i = 0; i < values.length; i++) total += lengths[i] = Buffer.byteLength(values[i]!, 'utf8');
    const bytes = Buffer.allocUnsafe(total);
    let at = 0;
    for (const v of values) at += bytes.write(v, at, 'utf8');
    const text = native.blindIndexes(raw, bytes, lengths).toString('latin1');
    const out = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = text.slice(i * INDEX_CHARS, (i + 1) * INDEX_CHARS);
    return out;
  };
  return Object.assign(one, { many });
}

/**
 * The embedded default's blind-index key: 32 random bytes in `<dir>/blind-index.hmac.key` (a dot, so no department key name can collide), same file
 * rules as the department keys (0600 in a 0700 folder, refused when others can read it). Losing it
 * changes every index (searches and partitioning by recipient restart), so back it up with the keys.
 */
export function loadOrCreateBlindIndexKey(dir: string, options: { create?: boolean } = {}): Buffer {
  return loadOrCreateKeyFile(join(dir, 'blind-index.hmac.key'), options);
}
