import type { Envelope } from '../envelope/index.js';

/** Why a section stays closed, as a code the console can style and a message a person can act on. */
export type LockReasonCode =
  | 'access_denied' // KMS said no to this identity
  | 'key_not_found' // key does not exist, or lives in another account/region
  | 'no_credentials' // the profile has no usable credentials
  | 'sso_expired' // SSO session expired: run `aws sso login --profile X`
  | 'kms_unreachable' // network / endpoint / throttling
  | 'no_local_key' // a local department key is not on this machine
  | 'tampered' // authentication failed, wrong encryption context, or section bound to another event
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
  open(envelopes: readonly Envelope[]): Promise<OpenedEnvelope[]>;
  /** A printable identity (caller ARN, or "local keys in DIR"). */
  identity(): Promise<string>;
  close(): Promise<void>;
}
