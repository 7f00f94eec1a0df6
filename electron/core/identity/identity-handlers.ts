import type { OpenOptions } from '../../../shared/decrypt/types.js';
import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { RawRecord } from '../kafka/raw-fetch.js';
import { parseEnvelope } from '../messages/decode-row.js';
import type { IdentityProvider } from './identity.js';

/** The channels of the identities the console decrypts as. */
export type IdentityChannel = 'profiles:list' | 'access:matrix';

export interface IdentityHandlerDeps {
  identities: IdentityProvider;
  /** A window of the topic's rows (the Messages channel, unaudited: the matrix is reported as itself). */
  window: ConsoleHandlers['messages:window'];
  /** The raw records of rows the window returned. */
  envelopesFor(topic: string, ids: readonly string[]): Promise<Map<string, RawRecord>>;
  openOptions(): OpenOptions;
}

/** The profiles to decrypt as, and the access matrix of one, proved on the topic's newest records. */
export function identityHandlers(deps: IdentityHandlerDeps): Pick<ConsoleHandlers, IdentityChannel> {
  return {
    'profiles:list': () => deps.identities.listProfiles(),

    async 'access:matrix'({ profile, topic }) {
      // Probes are real records: the newest few hundred of the topic, so access is proved, not assumed.
      const probes = await deps.window({ topic, mode: 'newest', limit: 300, scanBudget: 300 });
      const raws = await deps.envelopesFor(topic, probes.rows.map((r) => r.id));
      const envelopes = [...raws.values()].flatMap((raw) => parseEnvelope(raw.value).envelope ?? []);
      return deps.identities.accessMatrix(profile, envelopes, deps.openOptions());
    },
  };
}
