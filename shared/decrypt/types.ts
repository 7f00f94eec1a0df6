import type { Envelope } from '../envelope/index.js';
import type { SubjectKeySource } from '../subject-keys/key-book.js';

/** What a reader brings to one open() call besides the envelopes. */
export interface OpenOptions {
  /** The keys topic as this reader follows it (shared/subject-keys/follow-keys-topic.ts). */
  subjectKeys?: SubjectKeySource;
}

/** Why a section stays closed, as a code the console can style and a message a person can act on. */
export type LockReasonCode =
  | 'access_denied' // KMS said no to this identity
  | 'key_not_found' // key does not exist, or lives in another account/region
  | 'no_credentials' // the profile has no usable credentials
  | 'sso_expired' // SSO session expired: run `aws sso login --profile X`
  | 'kms_unreachable' // network / endpoint / throttling
  | 'no_local_key' // a local department key is not on this machine
  | 'tampered' // authentication failed, wrong encryption context, or section bound to another event
  | 'forgotten' // the subject was forgotten (crypto-shredding): its subject key is gone for good
  | 'subject_key_missing' // sealed under a subject key this reader does not hold (keys topic not read, not caught up)
  | 'unknown';

export interface OpenSection {
  state: 'open';
  fields: Record<string, unknown>;
}

export interface LockedSection {
  state: 'locked';
  code: LockReasonCode;
  /** One sentence saying what happened and what to do next. Never contains a personal value. */
  message: string;
  /**
   * For `tampered`: which check failed, so readers that report it finer (the consumer kit) can say whether
   * the bytes were altered or an authentic section was moved (context) or copied (id) from elsewhere.
   */
  check?: TamperCheck;
  /** For `forgotten`: when the subject was forgotten (ISO 8601), when the keys topic says so. */
  forgottenAt?: string;
}

/** The check a tampered section failed: authentication, its encryption context, or the bound event id. */
export type TamperCheck = 'authentication' | 'context' | 'id';

export type SectionResult = OpenSection | LockedSection;

export interface OpenedEnvelope {
  envelope: Envelope;
  /** Department -> result, for every section the envelope carries. */
  sections: Record<string, SectionResult>;
}

/**
 * Opens envelopes with one identity (an AWS profile, or local keys). Each opener owns its data-key
 * cache, so keys a profile unwrapped are never reused for another profile.
 */
export interface EnvelopeOpener {
  /**
   * Opens every section of `envelopes`. Sections a v2 envelope names a subject key for are opened through
   * `subjectKeys` (the reader's copy of the keys topic); without it they lock `subject_key_missing`.
   */
  open(envelopes: readonly Envelope[], options?: OpenOptions): Promise<OpenedEnvelope[]>;
  /**
   * Opens one section synchronously when everything it needs is already in hand (its data key or subject key
   * cached, the key record in the book), with exactly the result `open` would give; undefined when something must
   * be awaited (KMS, the key book, the stock decrypt): then `open`. No promise per section for streams. With v2
   * sections the caller has awaited `options.subjectKeys.ready()` for the records at hand.
   */
  openSectionSync?(envelope: Envelope, department: string, options?: OpenOptions): SectionResult | undefined;
  /** A printable identity (caller ARN, or "local keys in DIR"). */
  identity(): Promise<string>;
  close(): Promise<void>;
}
