import type { KMS } from '@aws-sdk/client-kms';
import type { EnvelopeOpener, OpenOptions } from '../../../shared/decrypt/types.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import type { AccessMatrixView, ProfileInfo } from '../../../shared/console-api/types.js';

/**
 * Who the console decrypts as. The console never decides access itself: it asks an opener built
 * for one profile (an AWS profile through KMS, or the local key folder) and shows what that opener
 * could open. Injected, so Electron main, the browser bridge and tests pass the same shape.
 */
export interface IdentityProvider {
  listProfiles(): Promise<ProfileInfo[]>;
  /** The opener for `profile` (kept while the profile's settings stay the same). */
  opener(profile: string): Promise<EnvelopeOpener>;
  /** Departments x fields for `profile`, proved by decrypting sections of `probes` (real records). */
  accessMatrix(profile: string, probes: readonly Envelope[], options?: OpenOptions): Promise<AccessMatrixView>;
  /**
   * KMS with the credentials of AWS profile `profile` ("aws:NAME"), for direct calls such as
   * unwrapping the blind-index key. Absent: this provider gives no AWS access.
   */
  kms?(profile: string): Promise<ProfileKms>;
  close(): Promise<void>;
}

/** Direct KMS calls as one AWS profile. */
export interface ProfileKms {
  /** The AWS profile name (without "aws:"), for messages. */
  profile: string;
  /** The client for the region `keyId` names (else the profile's region), with this profile's credentials. */
  clientFor(keyId: string): Pick<KMS, 'send'>;
  /** Where KMS is asked for `keyId` (endpoint or region), for "unreachable" messages. */
  where(keyId: string): string;
}
