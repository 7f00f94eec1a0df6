import { isUtf8 } from 'node:buffer';
import type { ParseReason } from './types.js';

/** A body parsed once, or why it could not be. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; reason: ParseReason };

/**
 * The one JSON.parse per request body. Bytes that are not UTF-8 are refused rather than decoded with
 * replacement characters, which would silently change the values (RFC 8259 requires UTF-8). A leading
 * byte-order mark is skipped. The parse error itself is dropped: its message quotes the input.
 */
export function parseJsonBody(body: Buffer): JsonBody {
  let bytes = body;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (bytes.length === 0) return { ok: false, reason: 'empty_body' };
  if (!isUtf8(bytes)) return { ok: false, reason: 'invalid_utf8' };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'invalid_json' };
  }
}

/** True for a JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
