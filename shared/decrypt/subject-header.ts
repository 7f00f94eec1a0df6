/**
 * The parts of a V2 header a section under a subject key needs, found without the SDK's header parser (~20 µs a
 * section; in a stream of people who each get an email now and then nearly every section has a data key of its own,
 * so a data-key cache does not help and the parser ran for nearly every section):
 *
 *  - the data key wrapped under the subject key: the encrypted data keys are walked by their length fields, and the
 *    first whose provider id is SUBJECT_KEY_NAMESPACE and whose provider info starts with the key id is taken, as
 *    subject-section-open.ts takes it from the parsed header (and the raw AES keyring filters them);
 *  - the encryption context and the AAD of the unwrap, once per distinct bytes (a subject key's sections share one
 *    context: department, source, policy version, key id): walked in place when the bytes are already the SDK's
 *    serialisation of it (canonical-context.ts), else computed by the SDK's own decodeEncryptionContext and
 *    serializeEncryptionContext (as the raw AES keyring re-serialises the context).
 *
 * Anything unusual (no data key or more than allowed, lengths that do not add up, a context the SDK refuses) returns
 * undefined and the caller uses the SDK's parser, which says why. The unwrap's tag then authenticates the context, and
 * the header tag every byte of the header, so nothing read here is trusted before the cryptography checks it.
 */
import type { EncryptionContext } from '@aws-crypto/material-management-node';
import { NodeAlgorithmSuite } from '@aws-crypto/material-management-node';
import { deserializeFactory, serializeFactory } from '@aws-crypto/serialize';
import { SUBJECT_KEY_NAMESPACE } from '../subject-keys/format.js';
import { decodeCanonicalContext } from './canonical-context.js';
import type { HeaderShape } from './fast-header.js';

const EC_LENGTH_AT = 1 + 2 + 32;
const NAMESPACE = Buffer.from(SUBJECT_KEY_NAMESPACE, 'utf8');
const toUtf8 = (input: Uint8Array): string => Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
const { decodeEncryptionContext } = deserializeFactory(toUtf8, NodeAlgorithmSuite);
// As subject-section-open.ts (and RawAesKeyringNode) re-serialise the context.
const { serializeEncryptionContext } = serializeFactory((s: string) => Buffer.from(s, 'utf8'), { utf8Sorting: false });

/** A context as a header states it: its bytes, the decoded context and the unwrap's AAD. */
export interface HeaderContext {
  bytes: Buffer;
  encryptionContext: EncryptionContext;
  aad: Uint8Array;
}

/**
 * True when `message` holds the bytes of `a` at `at` (the caller bounded at + a.length). A loop, not Buffer.compare: these
 * are a few dozen public header bytes, cheaper compared here than through a call into C++ (or a view made per section).
 */
function sameBytes(a: Buffer, message: Buffer, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== message[at + i]) return false;
  return true;
}

/** Where the data key wrapped under a subject key lies in a message (offsets only: nothing is copied or viewed per section). */
export interface WrappedKey {
  /** Offset and length of the provider info after the key name: tag bits 4 | IV length 4 | IV. */
  infoAt: number;
  infoLength: number;
  /** Offsets in the message of the IV and of the wrapped key || tag. */
  ivAt: number;
  wrappedAt: number;
  wrappedLength: number;
}

/**
 * The first encrypted data key under `keyName` (bytes of the key id), or null when none is; undefined when the header
 * is unusual (let the SDK's parser say why). `shape` is walkHeaderV2's, so every length below was already bounded.
 */
export function findWrappedKey(message: Buffer, shape: HeaderShape, keyName: Buffer, maxEncryptedDataKeys: number): WrappedKey | null | undefined {
  let pos = EC_LENGTH_AT + 2 + message.readUInt16BE(EC_LENGTH_AT);
  const count = message.readUInt16BE(pos);
  if (count === 0 || count > maxEncryptedDataKeys) return undefined;
  pos += 2;
  let found: WrappedKey | null = null;
  for (let i = 0; i < count; i++) {
    const idLength = message.readUInt16BE(pos);
    const idAt = pos + 2;
    pos = idAt + idLength;
    const infoLength = message.readUInt16BE(pos);
    const infoAt = pos + 2;
    pos = infoAt + infoLength;
    const keyLength = message.readUInt16BE(pos);
    const keyAt = pos + 2;
    pos = keyAt + keyLength;
    if (
      !found &&
      idLength === NAMESPACE.length &&
      sameBytes(NAMESPACE, message, idAt) &&
      infoLength >= keyName.length &&
      sameBytes(keyName, message, infoAt)
    ) {
      const at = infoAt + keyName.length;
      found = { infoAt: at, infoLength: infoLength - keyName.length, ivAt: at + 8, wrappedAt: keyAt, wrappedLength: keyLength };
    }
  }
  return pos === shape.keyIdEnd ? found : undefined;
}

/** The header's context from `contexts` (compared byte for byte, in place), else decoded by the SDK and kept; undefined if refused. */
export function headerContext(message: Buffer, contexts: HeaderContext[], capacity: number): HeaderContext | undefined {
  const start = EC_LENGTH_AT + 2;
  const end = start + message.readUInt16BE(EC_LENGTH_AT);
  for (const c of contexts) if (c.bytes.length === end - start && sameBytes(c.bytes, message, start)) return c;
  const bytes = message.subarray(start, end);
  let ctx: HeaderContext;
  const canonical = decodeCanonicalContext(bytes);
  if (canonical) {
    const copy = Buffer.from(bytes);
    ctx = { bytes: copy, encryptionContext: canonical, aad: copy };
  } else {
    try {
      const encryptionContext = decodeEncryptionContext(bytes);
      ctx = { bytes: Buffer.from(bytes), encryptionContext, aad: serializeEncryptionContext(encryptionContext).subarray(2) };
    } catch {
      return undefined;
    }
  }
  if (contexts.length >= capacity) contexts.shift();
  contexts.push(ctx);
  return ctx;
}
