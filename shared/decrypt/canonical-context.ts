import { isUtf8 } from 'node:buffer';
import type { EncryptionContext } from '@aws-crypto/material-management-node';

/**
 * A header's encryption context decoded without the SDK, when its bytes are already exactly what the SDK's
 * re-serialisation of it would write (serializeEncryptionContext with utf8Sorting false, as the raw AES keyring
 * computes the unwrap's AAD: keys ordered by localeCompare):
 *
 *  - at least one pair, every length inside the bytes and none left over (the SDK's readElements and its
 *    "too much data" check);
 *  - every key and value valid UTF-8, so decoding and encoding again gives the same bytes;
 *  - keys strictly ascending by localeCompare, so they are distinct and the SDK's sort keeps the header's order.
 *
 * Then the decoded context is the SDK's and the AAD is these bytes themselves. The SDK's decode and re-serialisation
 * cost ~40 µs per context (a reader pays it once per person's subject key: nearly per record in a stream of people
 * who each get one email); this walk ~1. Anything else returns undefined, and the caller asks the SDK, which decodes,
 * refuses or re-sorts as it always has (test/shared/decrypt/canonical-context.test.ts compares both).
 */
export function decodeCanonicalContext(bytes: Buffer): EncryptionContext | undefined {
  if (bytes.length < 2) return undefined;
  const count = bytes.readUInt16BE(0);
  if (count === 0) return undefined;
  const context: Record<string, string> = Object.create(null);
  let previous: string | undefined;
  let at = 2;
  for (let i = 0; i < count; i++) {
    const key = element(bytes, at);
    if (!key) return undefined;
    const value = element(bytes, key.end);
    if (!value) return undefined;
    if (previous !== undefined && !(previous.localeCompare(key.text) < 0)) return undefined;
    context[key.text] = value.text;
    previous = key.text;
    at = value.end;
  }
  if (at !== bytes.length) return undefined;
  return Object.freeze(context);
}

/** The UTF-8 element (2-byte length, bytes) at `at`, or undefined when it overruns `bytes` or is not valid UTF-8. */
function element(bytes: Buffer, at: number): { text: string; end: number } | undefined {
  if (at + 2 > bytes.length) return undefined;
  const start = at + 2;
  const end = start + bytes.readUInt16BE(at);
  if (end > bytes.length || !isUtf8(bytes.subarray(start, end))) return undefined;
  return { text: bytes.toString('utf8', start, end), end };
}
