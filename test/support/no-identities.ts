import type { IdentityProvider } from '../../electron/core/identity/identity.js';

/** A console without AWS identities, for tests of its Kafka pages: opening or matching a profile is not expected. */
export const noIdentities: IdentityProvider = {
  listProfiles: async () => [],
  opener: async () => {
    throw new Error('not used here');
  },
  accessMatrix: async () => {
    throw new Error('not used here');
  },
  close: async () => {},
};
