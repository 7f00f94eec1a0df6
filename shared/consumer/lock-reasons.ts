import type { LockedSection } from '../decrypt/index.js';

/**
 * Why a department consumer could not open a record's section: the codes of docs/consumers.md, the same
 * in the kit, the CLI and the Python and Java recipes, so their outputs compare line for line.
 * `forgotten`: the record's subject was forgotten (crypto-shredding, docs/forget.md), its key is gone for good;
 * `subject_key_missing`: sealed under a subject key this reader does not hold (keys topic not readable or not caught up).
 */
export type ConsumerLockReason =
  | 'not_granted'
  | 'access_denied'
  | 'key_not_found'
  | 'no_credentials'
  | 'sso_expired'
  | 'kms_unreachable'
  | 'tampered'
  | 'context_mismatch'
  | 'id_mismatch'
  | 'malformed'
  | 'forgotten'
  | 'subject_key_missing'
  | 'unknown';

/** A record the consumer reports instead of opening: a reason to branch on and a sentence to act on. */
export interface ConsumerLock {
  reason: ConsumerLockReason;
  /** What happened and what to do next; never a personal value. */
  message: string;
}

/**
 * The consumer's reason for a section the decryption library locked. The library's codes serve the
 * console; a department consumer needs "was I given the key" (`not_granted`, for a local key file it
 * does not hold) and which tamper check failed (moved between departments vs copied between records).
 */
export function consumerLockOf(section: LockedSection): ConsumerLock {
  const { code, message } = section;
  switch (code) {
    case 'no_local_key':
      return { reason: 'not_granted', message };
    case 'tampered':
      return { reason: section.check === 'context' ? 'context_mismatch' : section.check === 'id' ? 'id_mismatch' : 'tampered', message };
    default:
      return { reason: code, message };
  }
}
