/**
 * Opens the one kind of message Sealpost writes (ESDK message format V2, suite 0x0478
 * ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, framed, unsigned) without the SDK's stream
 * pipeline, which costs ~0.5 ms per section where the cryptography costs ~20 µs.
 *
 * Why it is safe: it asks the SAME materials manager as the stock path for the data key (so KMS, the
 * per-identity cache, single-flight and remembered failures decide exactly as before), and then does
 * what the SDK's decrypt does, step by step:
 *
 *  - header: the SDK's `deserializeFactory(toUtf8, NodeAlgorithmSuite).deserializeMessageHeader(buf,
 *    { maxEncryptedDataKeys })`, as node_modules/@aws-crypto/decrypt-node/build/main/src/
 *    parse_header_stream.js `_transform` calls it; the suite comes from the header, and the
 *    materials' suite must be that same committing suite (CommitmentPolicySuites.isDecryptEnabled
 *    under REQUIRE_ENCRYPT_REQUIRE_DECRYPT admits committing suites only);
 *  - data key: `materialsManager.decryptMaterials({ suite, encryptionContext, encryptedDataKeys })`
 *    on a miss of the opener's fast-key-cache.ts (keyed by the header's context and data-key bytes);
 *  - key derivation and commitment: node_modules/@aws-crypto/material-management-node/build/main/src/
 *    material_helpers.js `nodeKdf`, committing branch: HKDF-SHA512 (RFC 5869, as @aws-crypto/hkdf-node
 *    hkdf.js) with salt = the 32-byte message id and IKM = the data key; commitment =
 *    expand(32, "COMMITKEY") compared with the header's suite data by `timingSafeEqual` BEFORE the
 *    key is derived; derived key = expand(32, uInt16BE(suiteId) || "DERIVEKEY") (serialize
 *    kdf_info.js `kdfCommitKeyInfo`). Both expansions are one HMAC block (T(1)), as in the sealer;
 *  - header authentication: AES-256-GCM, IV = the header IV (12 zero bytes for V2), AAD = the raw
 *    header, empty plaintext, tag = the header auth tag (parse_header_stream.js);
 *  - body: fast-body.ts;
 *  - the data key of the materials is zeroed afterwards (the helper's `dispose`).
 *
 * Key derivation, commitment, header authentication and body run in ONE call of the native core
 * (native/seal/open.c, ~4.5 µs for a small section) when it is built, else in JavaScript (fast-body.ts
 * `openWithDataKey`, the same steps and messages; test/shared/decrypt/ runs every case through both).
 * When the data key is cached, the SDK's header parser is skipped: fast-header.ts says why that is safe.
 *
 * Anything else (V1, another suite such as the stock default with a signature, non-framed) returns
 * `undefined` before any key is asked for, and the caller uses the stock `decrypt()`.
 */
import {
  AlgorithmSuiteIdentifier,
  NodeAlgorithmSuite,
  needs,
  unwrapDataKey,
  type NodeMaterialsManager,
} from '@aws-crypto/material-management-node';
import { ContentType, deserializeFactory, type MessageHeader, type MessageHeaderV2 } from '@aws-crypto/serialize';
import { nativeSeal } from '../seal/native-seal.js';
import { openWithDataKey } from './fast-body.js';
import { HEADER_KEY_ID_START, walkHeaderV2 } from './fast-header.js';
import { createFastKeyCache, type FastKeyCache } from './fast-key-cache.js';

/** The suite the fast path opens; every other suite goes to the stock decrypt. */
export const FAST_SUITE_ID = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const SUITE = new NodeAlgorithmSuite(FAST_SUITE_ID);
const MESSAGE_FORMAT_V2 = 2;
const KEY_LENGTH = SUITE.keyLengthBytes; // 32
const ID_START = 1 + 2;
const ID_END = ID_START + 32;
const COMMITMENT_LENGTH = 32;

const toUtf8 = (input: Uint8Array): string => Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
// Same factory and arguments as parse_header_stream.js.
const { deserializeMessageHeader } = deserializeFactory(toUtf8, NodeAlgorithmSuite);

/** What the stock `decrypt()` returns, for the parts a reader uses. */
export interface FastOpened {
  plaintext: Buffer;
  messageHeader: MessageHeader;
}

/** Cheap look at the first three bytes: could this be a message the fast path opens? */
export function isFastSuiteMessage(message: Uint8Array): boolean {
  return message.length >= 3 && message[0] === MESSAGE_FORMAT_V2 && ((message[1]! << 8) | message[2]!) === FAST_SUITE_ID;
}

export interface FastOpenerOptions {
  /** The opener's materials manager (one identity): asked on a cache miss. */
  materials: NodeMaterialsManager;
  /** Refuse headers with more encrypted data keys than this (each could cost a KMS call). */
  maxEncryptedDataKeys: number;
  /** Data-key reuse limits: the opener's own. */
  maxAgeMs: number;
  capacity: number;
  /** Open with the native core when it is built (default); false = the JavaScript fallback (for comparisons). */
  native?: boolean;
}

/** The fast path of one opener. */
export interface FastOpener {
  /**
   * Opens `message`, or returns `undefined` when it is not a V2 / 0x0478 / framed message (use the
   * stock decrypt then). Throws what the stock decrypt would throw for a message that does not
   * authenticate, and whatever the materials manager throws (LockError).
   */
  open(message: Buffer): Promise<FastOpened | undefined>;
  /**
   * Synchronously: opens `message` when its data key is already cached, else `undefined` (then `open`).
   * Throws as `open` does for a message that does not authenticate.
   */
  openCached(message: Buffer): FastOpened | undefined;
  /** Zeroes and forgets the cached data keys. */
  clear(): void;
}

/**
 * The body of a V2/0x0478 framed message whose data key is already in hand (key derivation, commitment,
 * header tag, frames): the native core when built, else JavaScript. Used by the opener's fast path and by
 * sections sealed under a subject key (subject-section-open.ts), which unwrap their data key themselves.
 */
export function openFramedBody(message: Buffer, header: MessageHeaderV2, headerLength: number, dataKey: Buffer, useNative = true): Buffer {
  const native = useNative ? nativeSeal() : undefined;
  // The native core reads the header's length, content type and frame length from the message itself.
  return native ? native.openMessage(message, dataKey) : openWithDataKey(message, header, headerLength, dataKey);
}

/** The cache id of a parsed header: the bytes that decide its data key (encryption context and encrypted data keys). */
function headerCacheId(message: Buffer, headerLength: number): string {
  return message.toString('latin1', HEADER_KEY_ID_START, headerLength - 1 - 4 - COMMITMENT_LENGTH);
}

/**
 * Opens `message` with a data key `keys` holds for its header bytes, without the SDK's header parser (fast-header.ts
 * says why that is safe), or returns undefined (another shape, or no key cached). Synchronous from the lookup on, so
 * the cache's own key buffer cannot be zeroed under this call.
 */
function openCachedMessage(message: Buffer, keys: FastKeyCache<MessageHeaderV2>, useNative = true): FastOpened | undefined {
  if (!isFastSuiteMessage(message)) return undefined;
  const shape = walkHeaderV2(message);
  if (!shape || shape.contentType !== ContentType.FRAMED_DATA) return undefined;
  const hit = keys.lookup(message.toString('latin1', HEADER_KEY_ID_START, shape.keyIdEnd));
  if (!hit) return undefined;
  const messageHeader: MessageHeaderV2 = {
    ...hit.meta,
    messageId: message.subarray(ID_START, ID_END),
    contentType: shape.contentType,
    frameLength: shape.frameLength,
    suiteData: message.subarray(shape.headerLength - COMMITMENT_LENGTH, shape.headerLength),
  };
  return { plaintext: openFramedBody(message, messageHeader, shape.headerLength, hit.key, useNative), messageHeader };
}

/** Builds the fast path of one opener, with its own data-key cache (never shared between identities). */
export function createFastOpener(opts: FastOpenerOptions): FastOpener {
  // The cache keeps, beside each data key, the header the SDK parsed when the key was asked for: a hit
  // reuses its context and data keys (the same bytes) and reads only this message's own fields.
  const keys = createFastKeyCache<MessageHeaderV2>({ maxAgeMs: opts.maxAgeMs, capacity: opts.capacity });
  const openBody = (message: Buffer, header: MessageHeaderV2, headerLength: number, dataKey: Buffer): Buffer =>
    openFramedBody(message, header, headerLength, dataKey, opts.native !== false);

  async function dataKeyFor(messageHeader: MessageHeaderV2, id: string): Promise<Buffer> {
    const material = await opts.materials.decryptMaterials({
      suite: SUITE,
      encryptionContext: messageHeader.encryptionContext,
      encryptedDataKeys: messageHeader.encryptedDataKeys,
    });
    try {
      needs(material.suite.id === FAST_SUITE_ID, 'The materials suite is not the message suite.');
      needs(material.hasValidKey(), 'Material has no unencrypted data key.');
      const raw = unwrapDataKey(material.getUnencryptedDataKey());
      needs(raw.byteLength === KEY_LENGTH, 'Data key has the wrong length.');
      keys.put(id, raw, messageHeader);
      return Buffer.from(raw);
    } finally {
      material.zeroUnencryptedDataKey(); // the helper's dispose(): this material is the CMM's clone
    }
  }

  const openCached = (message: Buffer): FastOpened | undefined => openCachedMessage(message, keys, opts.native !== false);

  async function open(message: Buffer): Promise<FastOpened | undefined> {
    if (!isFastSuiteMessage(message)) return undefined;
    const cached = openCached(message);
    if (cached) return cached;
    const headerInfo = deserializeMessageHeader(message, { maxEncryptedDataKeys: opts.maxEncryptedDataKeys });
    needs(headerInfo, 'Incomplete Header');
    const { rawHeader, algorithmSuite } = headerInfo;
    // V2 header (checked by isFastSuiteMessage and the deserializer): suite data = the commitment.
    const messageHeader = headerInfo.messageHeader as MessageHeaderV2;
    if (messageHeader.contentType !== ContentType.FRAMED_DATA) return undefined;
    needs(algorithmSuite.id === FAST_SUITE_ID, 'Unsupported algorithm suite.');
    const dataKey = await dataKeyFor(messageHeader, headerCacheId(message, rawHeader.byteLength));
    try {
      return { plaintext: openBody(message, messageHeader, rawHeader.byteLength, dataKey), messageHeader };
    } finally {
      dataKey.fill(0);
    }
  }

  return { open, openCached, clear: () => keys.clear() };
}
