import type { Policy } from '../policy/index.js';
import { createProfileOpener, type ProfileOpener } from './profile-opener.js';

/** Where the local keys are, and which to load. */
export interface LocalKeysOpenerOptions {
  /** Folder of local department keys (`NAME.key`, mode 0600). */
  localKeysDir: string;
  /** Names the local keys to load; without it every `NAME.key` of the folder. */
  policy?: Pick<Policy, 'departments'>;
  /** Only names KMS regions in messages; no KMS call is ever made. */
  region?: string;
}

/**
 * An opener that holds local keys and NO AWS identity: KMS-sealed sections lock with "no credentials"
 * at once instead of the default credential chain probing instance metadata or a developer's profile.
 * Shared by the console's "Local keys" identity and the consumer kit's `--keys DIR`.
 */
export function createLocalKeysOpener(opts: LocalKeysOpenerOptions): ProfileOpener {
  const inner = createProfileOpener({
    region: opts.region ?? 'us-east-1',
    localKeysDir: opts.localKeysDir,
    ...(opts.policy ? { policy: opts.policy } : {}),
    credentials: async () => {
      // Named as the SDK's provider errors are, so the lock reads "no credentials" (kmsFailureKind), not "unreachable".
      throw Object.assign(new Error('Could not load credentials from any providers: the local identity uses local keys only'), { name: 'CredentialsProviderError' });
    },
  });
  return { ...inner, identity: async () => `local keys in ${opts.localKeysDir}` };
}
