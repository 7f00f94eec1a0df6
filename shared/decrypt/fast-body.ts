/**
 * The framed body of an ESDK message, decrypted and authenticated in one synchronous pass: what the
 * SDK's VerifyStream + DecipherStream do, minus the streams (node_modules/@aws-crypto/decrypt-node/
 * build/main/src/verify_stream.js `_transform`, decipher_stream.js `_onBodyHeader`/`_onAuthTag`):
 *
 *  - each body header is read with the SDK's own `decodeBodyHeader` (serialize decode_body_header.js:
 *    sequence number > 0, SEQUENCE_NUMBER_END marks the final frame, the final frame's content length
 *    must not exceed the frame length);
 *  - sequence numbers must be 1, 2, 3... (verify_stream.js "Encrypted body sequence out of order.");
 *  - AAD per frame = `aadFactory.messageAAD(messageId, contentString, seq, contentLength)` with the
 *    "Frame" / "Final Frame" content string (decipher_stream.js `_onBodyHeader`, aad_factory.js);
 *  - AES-256-GCM with the frame's IV and 16-byte tag; `final()` throws if the tag is wrong;
 *  - the message ends with the final frame's tag (verify_stream.js `_flush`: "Incomplete message").
 *
 * One deliberate difference: for unsigned suites the stock decrypt silently ignores bytes after the
 * final frame (they go to `signatureInfo`, which nothing reads); here they are refused, since Sealpost
 * never writes them and a reader should not vouch for bytes nobody authenticated.
 * No plaintext leaves this function unless every frame authenticated.
 */
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { AlgorithmSuiteIdentifier, NodeAlgorithmSuite, needs } from '@aws-crypto/material-management-node';
import { aadFactory, ContentType, decodeBodyHeader, kdfCommitKeyInfo, type HeaderInfo, type MessageHeaderV2 } from '@aws-crypto/serialize';

const TAG_LENGTH = 16;
const SUITE = new NodeAlgorithmSuite(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY);
const KEY_LENGTH = SUITE.keyLengthBytes; // 32
const COMMITMENT_LENGTH = (SUITE.commitmentLength ?? 256) / 8; // 32
const HEADER_IV = new Uint8Array(SUITE.ivLength); // V2: the header IV is 12 zero bytes
const { keyLabel, commitLabel } = kdfCommitKeyInfo(SUITE);
const KEY_INFO_T1 = Buffer.concat([keyLabel, Buffer.from([1])]);
const COMMIT_INFO_T1 = Buffer.concat([commitLabel, Buffer.from([1])]);

/**
 * Opens a V2/0x0478 framed message with its data key in JavaScript (the fallback of the native
 * openMessage, native/seal/open.c): key derivation and commitment, header authentication, then the
 * body (see fast-open.ts for the SDK sources). `messageHeader` holds the message's own id, suite data,
 * content type and frame length; `headerLength` is the serialised header's (the auth tag follows).
 */
export function openWithDataKey(message: Buffer, messageHeader: MessageHeaderV2, headerLength: number, dataKey: Buffer): Buffer {
  let prk: Buffer | undefined;
  let commitT1: Buffer | undefined;
  let derived: Buffer | undefined;
  try {
    const { messageId, suiteData } = messageHeader;
    needs(messageId.byteLength === SUITE.saltLengthBytes, 'Nonce is not the correct length for committed algorithm suite.');
    needs(message.length >= headerLength + TAG_LENGTH, 'Incomplete Header');
    prk = createHmac('sha512', messageId).update(dataKey).digest();
    commitT1 = createHmac('sha512', prk).update(COMMIT_INFO_T1).digest();
    const commitment = commitT1.subarray(0, COMMITMENT_LENGTH);
    needs(suiteData && suiteData.byteLength === COMMITMENT_LENGTH && timingSafeEqual(commitment, suiteData), 'Commitment does not match.');
    derived = createHmac('sha512', prk).update(KEY_INFO_T1).digest();
    const key = derived.subarray(0, KEY_LENGTH);

    const rawHeader = message.subarray(0, headerLength);
    const headerAuthTag = message.subarray(headerLength, headerLength + TAG_LENGTH);
    const headerAuthCheck = createDecipheriv('aes-256-gcm', key, HEADER_IV, { authTagLength: TAG_LENGTH });
    headerAuthCheck.setAAD(rawHeader);
    headerAuthCheck.setAuthTag(headerAuthTag);
    headerAuthCheck.final(); // throws if the header (context, data keys, commitment...) was altered

    const headerInfo: HeaderInfo = {
      messageHeader,
      headerLength,
      rawHeader,
      algorithmSuite: SUITE,
      headerAuth: { headerIv: HEADER_IV, headerAuthTag, headerAuthLength: TAG_LENGTH },
    };
    return openFramedBody(message, headerInfo, headerLength + TAG_LENGTH, key);
  } finally {
    prk?.fill(0);
    commitT1?.fill(0);
    derived?.fill(0);
  }
}
const fromUtf8 = (input: string): Buffer => Buffer.from(input, 'utf8');
const aad = aadFactory(fromUtf8);

/**
 * Decrypts every frame of `message` from `bodyStart` (just past the header auth tag) with the derived
 * key. Why a separate function: the header half needs the data key (async, KMS); this half is pure.
 */
export function openFramedBody(message: Buffer, headerInfo: HeaderInfo, bodyStart: number, derivedKey: Buffer): Buffer {
  const { messageId } = headerInfo.messageHeader;
  needs(headerInfo.messageHeader.contentType === ContentType.FRAMED_DATA, 'Unknown contentType');
  needs(headerInfo.algorithmSuite.tagLength / 8 === TAG_LENGTH, 'Unsupported tag length.');
  const parts: Buffer[] = [];
  let pos = bodyStart;
  let expectedSequence = 0;
  try {
    for (;;) {
      const frame = decodeBodyHeader(message, headerInfo, pos);
      needs(frame, 'Incomplete message');
      expectedSequence += 1;
      needs(frame.sequenceNumber === expectedSequence, 'Encrypted body sequence out of order.');
      const contentStart = frame.readPos;
      const contentEnd = contentStart + frame.contentLength;
      const tagEnd = contentEnd + TAG_LENGTH;
      needs(tagEnd <= message.length, 'Incomplete message');
      const contentString = aad.messageAADContentString({ contentType: ContentType.FRAMED_DATA, isFinalFrame: frame.isFinalFrame });
      const frameAad = aad.messageAAD(messageId, contentString, frame.sequenceNumber, frame.contentLength);
      const decipher = createDecipheriv('aes-256-gcm', derivedKey, frame.iv, { authTagLength: TAG_LENGTH });
      decipher.setAAD(Buffer.from(frameAad.buffer, frameAad.byteOffset, frameAad.byteLength));
      decipher.setAuthTag(message.subarray(contentEnd, tagEnd));
      if (frame.contentLength > 0) parts.push(decipher.update(message.subarray(contentStart, contentEnd)));
      parts.push(decipher.final()); // throws "Unsupported state or unable to authenticate data"
      pos = tagEnd;
      if (frame.isFinalFrame) break;
    }
    needs(pos === message.length, 'Unexpected bytes after the final frame.');
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  } catch (err) {
    for (const p of parts) p.fill(0);
    throw err;
  } finally {
    if (parts.length > 1) for (const p of parts) p.fill(0);
  }
}
