import { createHmac } from 'node:crypto';
import { AT_REST_ERRORS, createAtRestCipher } from '../../../shared/at-rest/index.js';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import { JOURNAL_ERRORS } from './errors.js';
import { JOURNAL_KEY_BYTES } from './journal-key.js';

/**
 * Encrypts what the journal keeps at rest (payloads, dead letters' bytes, operator notes), so that
 * neither the database, its WAL nor a backup holds a personal value in clear; the additional data
 * binds a value to its row (seq, source...), so a ciphertext moved to another row no longer decrypts.
 */
export interface JournalCipher {
  encrypt(plain: Buffer, aad: string): Buffer;
  decrypt(sealed: Buffer, aad: string): Buffer;
  /** A value derived from the key (not the key), stored in the journal to detect a swapped key. */
  readonly keyCheck: string;
}

/**
 * The journal's cipher: shared/at-rest's AES-256-GCM (one copy, tested with hostile inputs) under the
 * journal key, its failures under the journal's codes so the journal's callers branch as before.
 */
export function createJournalCipher(key: Buffer): JournalCipher {
  if (key.length !== JOURNAL_KEY_BYTES) {
    throw new SealpostError(JOURNAL_ERRORS.keyInvalid, `journal key must be ${JOURNAL_KEY_BYTES} bytes, got ${key.length}`);
  }
  const sealer = createAtRestCipher(key);
  return {
    keyCheck: createHmac('sha256', key).update('sealpost-journal-key-check/1').digest('base64url').slice(0, 22),
    encrypt: (plain, aad) => sealer.seal(plain, aad),
    decrypt(sealed, aad) {
      try {
        return sealer.open(sealed, aad);
      } catch (err) {
        const format = isSealpostError(err, AT_REST_ERRORS.badFormat);
        throw new SealpostError(
          JOURNAL_ERRORS.decryptFailed,
          format ? 'journal payload has an unknown format' : 'journal payload did not authenticate (wrong journal key, or the row was altered)',
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
