import type { EnvelopeOpener, OpenOptions } from '../../../shared/decrypt/types.js';
import type { KeysTopicFollower } from '../../../shared/subject-keys/index.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { IdentityProvider } from './identity.js';
import { LOCAL_PROFILE } from './profile-identities.js';

export interface ViewingDeps {
  identities: IdentityProvider;
  settings: SettingsStore;
  /** The keys topic the connected session follows (undefined while not connected). */
  keys(): KeysTopicFollower | undefined;
}

/**
 * Who the console reads as, and through which keys topic: every reader of the connection (grid, scans,
 * timeline, links, suppressions) opens with the same openers, so v2 sections and forgotten subjects read
 * the same everywhere (docs/forget.md).
 */
export function createViewing(deps: ViewingDeps) {
  /** Every open() goes through the session's keys topic: v2 sections, forgotten subjects (docs/forget.md). */
  const openOptions = (): OpenOptions => {
    const keys = deps.keys();
    return keys ? { subjectKeys: keys } : {};
  };
  const withKeysTopic = (opener: EnvelopeOpener): EnvelopeOpener => ({ ...opener, open: (envelopes, options) => opener.open(envelopes, { ...openOptions(), ...options }) });
  return {
    /** Who a search runs as: the profile the renderer names ("Decrypt as"), else the saved one, else local keys. */
    viewer: (profile: string | undefined): string => profile ?? deps.settings.get().profile ?? LOCAL_PROFILE,
    openOptions,
    /** The opener of `profile` for every reader of this connection (grid, scans, timeline, links). */
    opener: async (profile: string): Promise<EnvelopeOpener> => withKeysTopic(await deps.identities.opener(profile)),
  };
}

export type Viewing = ReturnType<typeof createViewing>;
