import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealpostError } from '../errors/index.js';
import { AT_REST_ERRORS } from './errors.js';

/** AES-256 key length. */
export const AT_REST_KEY_BYTES = 32;

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const LEGACY_HEADER_BYTES = IV_BYTES + TAG_BYTES;

/**
 * Seals what Sealpost keeps on its own disk (journal payloads and notes, the audit index's actor ARNs),
 * so neither a database, its WAL nor a backup holds a personal value in clear. AES-256-GCM with a random
 * 96-bit IV per value and a full 16-byte tag (a shorter tag is never accepted); the additional data binds
 * a value to its row, so a value copied to another row no longer opens.
 */
export interface AtRestCipher {
  /** Layout: version (1) | iv (12) | tag (16) | ciphertext. */
  seal(plain: Uint8Array, aad: string): Buffer;
  /** Throws SP_AT_REST_BAD_FORMAT or SP_AT_REST_UNAUTHENTIC; never returns unauthenticated bytes. */
  open(sealed: Uint8Array, aad: string): Buffer;
}

function decrypt(key: Buffer, iv: Uint8Array, tag: Uint8Array, body: Uint8Array, aad: string): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(tag);
  const head = d.update(body);
  const tail = d.final();
  return tail.length ? Buffer.concat([head, tail]) : head;
}

const unauthentic = (cause?: unknown): SealpostError =>
  new SealpostError(AT_REST_ERRORS.unauthentic, 'a sealed value did not authenticate (another key, or the stored bytes were altered or moved)', { cause });

/**
 * The one AES-GCM sealer at rest. `legacyUnversioned` also opens values of the older layout
 * iv | tag | ciphertext (the audit index before it used this module): tried only when the versioned
 * layout does not authenticate, and GCM's tag tells the two apart.
 */
export function createAtRestCipher(key: Uint8Array, opts: { legacyUnversioned?: boolean } = {}): AtRestCipher {
  if (key.length !== AT_REST_KEY_BYTES) {
    throw new SealpostError(AT_REST_ERRORS.badKey, `a key for sealing at rest must be ${AT_REST_KEY_BYTES} bytes, got ${key.length}`);
  }
  const k = Buffer.from(key);
  return {
    seal(plain, aad) {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES });
      c.setAAD(Buffer.from(aad, 'utf8'));
      const out = Buffer.allocUnsafe(HEADER_BYTES + plain.length);
      out[0] = VERSION;
      iv.copy(out, 1);
      const n = c.update(plain).copy(out, HEADER_BYTES);
      c.final();
      c.getAuthTag().copy(out, 1 + IV_BYTES);
      return n === plain.length ? out : out.subarray(0, HEADER_BYTES + n);
    },
    open(sealed, aad) {
      const s = Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      let first: unknown;
      if (s.length >= HEADER_BYTES && s[0] === VERSION) {
        try {
          return decrypt(k, s.subarray(1, 1 + IV_BYTES), s.subarray(1 + IV_BYTES, HEADER_BYTES), s.subarray(HEADER_BYTES), aad);
        } catch (err) {
          first = err;
        }
      }
      if (opts.legacyUnversioned && s.length >= LEGACY_HEADER_BYTES) {
        try {
          return decrypt(k, s.subarray(0, IV_BYTES), s.subarray(IV_BYTES, LEGACY_HEADER_BYTES), s.subarray(LEGACY_HEADER_BYTES), aad);
        } catch (err) {
          throw unauthentic(first ?? err);
        }
      }
      if (first) throw unauthentic(first);
      throw new SealpostError(AT_REST_ERRORS.badFormat, `a sealed value has an unknown format (${s.length} bytes${s.length ? `, version ${s[0]}` : ''})`, {
        details: { length: s.length },
      });
    },
  };
}
