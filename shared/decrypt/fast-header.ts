/**
 * The lengths of a V2 message header, found by walking its length fields without decoding anything.
 *
 * Why: the SDK's header parser (decoding the context, copying every data key) costs ~10 µs per
 * section, and when the data key is already cached its result is known: the cache is keyed by the
 * exact header bytes that decide the data key (context and encrypted data keys), parsed and checked
 * by the SDK when the entry was made. The rest of the header (message id, content type, frame length,
 * commitment) is read here, and the whole header is then authenticated by its tag as before.
 */

// Header V2 layout: version 1 | suite 2 | message id 32 | EC length 2 | EC | EDK count 2 | EDKs (three
// length-prefixed fields each) | content type 1 | frame length 4 | suite data (commitment) 32.
const KEY_ID_START = 1 + 2 + 32;
const TAIL = 1 + 4 + 32;

/** Where the parts of one header lie. */
export interface HeaderShape {
  /** End of the encrypted data keys: [KEY_ID_START, keyIdEnd) is the data-key cache id. */
  keyIdEnd: number;
  contentType: number;
  frameLength: number;
  /** The serialised header's length (the header auth tag follows). */
  headerLength: number;
}

/** The start of the cache-id bytes (the EC length), the same for every V2 header. */
export const HEADER_KEY_ID_START = KEY_ID_START;

/** The header's shape, or undefined when a length runs past the message (let the SDK's parser say why). */
export function walkHeaderV2(message: Buffer): HeaderShape | undefined {
  const end = message.length;
  let pos = KEY_ID_START;
  if (pos + 2 > end) return undefined;
  pos += 2 + message.readUInt16BE(pos);
  if (pos + 2 > end) return undefined;
  const count = message.readUInt16BE(pos);
  pos += 2;
  for (let i = 0; i < count * 3; i++) {
    if (pos + 2 > end) return undefined;
    pos += 2 + message.readUInt16BE(pos);
  }
  if (pos + TAIL > end) return undefined;
  return { keyIdEnd: pos, contentType: message[pos]!, frameLength: message.readUInt32BE(pos + 1), headerLength: pos + TAIL };
}
