import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { SealpostError } from '../../../shared/errors/index.js';
import { JOURNAL_ERRORS } from './errors.js';
import { JOURNAL_KEY_BYTES } from './journal-key.js';

/**
 * Encrypts what the journal keeps at rest, so that neither the database, its WAL nor a backup of
 * them holds a personal value in clear. AES-256-GCM with a random 96-bit IV per payload; the
 * additional data binds a payload to its row (seq, source...), so a ciphertext moved to another
 * row no longer decrypts.
 */
export interface JournalCipher {
  encrypt(plain: Buffer, aad: string): Buffer;
  decrypt(sealed: Buffer, aad: string): Buffer;
  /** A value derived from the key (not the key), stored in the journal to detect a swapped key. */
  readonly keyCheck: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** Layout: version (1) | iv (12) | tag (16) | ciphertext. */
export function createJournalCipher(key: Buffer): JournalCipher {
  if (key.length !== JOURNAL_KEY_BYTES) {
    throw new SealpostError(JOURNAL_ERRORS.keyInvalid, `journal key must be ${JOURNAL_KEY_BYTES} bytes, got ${key.length}`);
  }
  const k = Buffer.from(key);
  return {
    keyCheck: createHmac('sha256', k).update('sealpost-journal-key-check/1').digest('base64url').slice(0, 22),
    encrypt(plain, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const out = Buffer.allocUnsafe(HEADER_BYTES + plain.length);
      out[0] = VERSION;
      iv.copy(out, 1);
      const n = cipher.update(plain).copy(out, HEADER_BYTES);
      cipher.final();
      cipher.getAuthTag().copy(out, 1 + IV_BYTES);
      return n === plain.length ? out : out.subarray(0, HEADER_BYTES + n);
    },
    decrypt(sealed, aad) {
      if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) {
        throw new SealpostError(JOURNAL_ERRORS.decryptFailed, 'journal payload has an unknown format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, sealed.subarray(1, 1 + IV_BYTES));
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER_BYTES));
        const head = decipher.update(sealed.subarray(HEADER_BYTES));
        const tail = decipher.final();
        return tail.length ? Buffer.concat([head, tail]) : head;
      } catch (err) {
        throw new SealpostError(
          JOURNAL_ERRORS.decryptFailed,
          'journal payload did not authenticate (wrong journal key, or the row was altered)',
          { cause: err },
        );
      }
    },
  };
}

/** Additional data of an entry payload: binds it to its seq, source and kind. */
export function entryAad(seq: number, source: string, kind: string): string {
  return `sealpost-journal/1\u0000entry\u0000${seq}\u0000${source}\u0000${kind}`;
}

/** Additional data of a dead letter's raw bytes: binds them to the entry and event they came from. */
export function deadLetterAad(seq: number, source: string, eventIndex: number | null): string {
  return `sealpost-journal/1\u0000dead-letter\u0000${seq}\u0000${source}\u0000${eventIndex ?? '-'}`;
}
