import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
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
  accessMatrix(profile: string, probes: readonly Envelope[]): Promise<AccessMatrixView>;
  close(): Promise<void>;
}
