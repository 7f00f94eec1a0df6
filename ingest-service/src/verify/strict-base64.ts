const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes canonical, padded standard base64 and nothing else. Buffer.from(s, 'base64') silently skips
 * invalid characters, accepts missing padding and non-zero pad bits, so many different header values
 * would decode to the same signature; a signature header must have exactly one spelling.
 * Returns undefined for anything that is not canonical base64 (including the empty string).
 */
export function decodeStrictBase64(s: string): Buffer | undefined {
  if (s.length === 0 || s.length % 4 !== 0 || !BASE64.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64');
  // Non-zero bits in the last character's padding positions decode fine but do not round-trip.
  if (bytes.toString('base64') !== s) return undefined;
  return bytes;
}
