import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import type { AccessMatrixView, ProfileInfo } from '../../../shared/console-api/types.js';

/**
 * Who the console decrypts as. The console never decides access itself: it asks an opener built
 * for one profile (AWS profile through KMS, or local keys) and shows what that opener could open.
 * Injected, so Electron main, the browser bridge and tests pass the same shape.
 */
export interface IdentityProvider {
  listProfiles(): Promise<ProfileInfo[]>;
  /** A new opener for `profile` (the console caches it and closes it on disconnect). */
  openerFor(profile: string): Promise<EnvelopeOpener>;
  /** Departments x fields for `profile`, with the reason for each department's access. */
  accessMatrix(profile: string, opener: EnvelopeOpener): Promise<AccessMatrixView>;
}
