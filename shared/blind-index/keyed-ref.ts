import { createHmac, createSecretKey } from 'node:crypto';
import { nativeSeal } from '../seal/native-seal.js';

/** Bytes of HMAC-SHA256 kept: 128 bits is ample against collisions and keeps Kafka keys short (22 chars). */
export const KEYED_REF_BYTES = 16;
/** Characters of one reference (base64url of KEYED_REF_BYTES, no padding). */
const REF_CHARS = 22;

/** A keyed reference of a value: base64url(HMAC-SHA256(key, utf8(value)))[first 16 bytes]. */
export interface KeyedRef {
  (value: string): string;
  /**
   * The references of many values, in order: the same values as one call each, computed in one native call
   * when the native core is built (native/seal/blind-index.c: ~0.7 µs per value against ~7 µs for a
   * createHmac object each), so a batch of events or a check of 10,000 addresses pays no object per value.
   */
  many(values: readonly string[]): string[];
}

/**
 * Keyed references under `key` (at least the caller's checked length; the bytes are copied). One value alone
 * goes through createHmac (a native call for one costs about as much in allocations); two or more in one
 * native call. Blind indexes of addresses (blind-index.ts) and activity link references are built on it.
 */
export function createKeyedRef(key: Uint8Array): KeyedRef {
  // The KeyObject keeps its own copy of the bytes: no intermediate copy is left behind for the caller to miss.
  const secret = createSecretKey(key);
  const one = (value: string): string => createHmac('sha256', secret).update(value, 'utf8').digest().subarray(0, KEYED_REF_BYTES).toString('base64url');
  const native = nativeSeal();
  // The native core takes the raw key (at most one SHA-256 block: longer keys are hashed first by HMAC, which it does not do).
  const raw = native && key.byteLength <= 64 ? Buffer.from(secret.export()) : undefined;
  const many = (values: readonly string[]): string[] => {
    if (!native || !raw || values.length < 2) return values.map(one);
    const lengths = new Uint32Array(values.length);
    let total = 0;
    for (let i = 0; i < values.length; i++) total += lengths[i] = Buffer.byteLength(values[i]!, 'utf8');
    const bytes = Buffer.allocUnsafe(total);
    let at = 0;
    for (const v of values) at += bytes.write(v, at, 'utf8');
    const text = native.blindIndexes(raw, bytes, lengths).toString('latin1');
    const out = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = text.slice(i * REF_CHARS, (i + 1) * REF_CHARS);
    return out;
  };
  return Object.assign(one, { many });
}
