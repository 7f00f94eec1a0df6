import { readStateFile, writeStateFile } from '../settings/json-file.js';
import { z } from 'zod';
import { SealpostError } from '../../../shared/errors/index.js';
import type { ServiceConnectionView } from '../../../shared/console-api/service-types.js';
import type { SecretBox } from '../settings/settings-store.js';
import { SERVICE_ERRORS } from './errors.js';

const storedConnection = z.strictObject({
  url: z.string(),
  serverId: z.string().nullable(),
  auth: z.enum(['aws', 'token']),
  profile: z.string().nullable(),
  region: z.string().nullable(),
  stsEndpoint: z.string().nullable(),
  ca: z.string().nullable(),
  /** The local admin token, sealed by the SecretBox; never in clear. */
  sealedToken: z.string().optional(),
});
const storedFile = z.strictObject({ version: z.literal(1).default(1), connection: storedConnection.nullable().default(null) });

/** A service connection without its secret (what is saved in clear). */
export type ServiceConnection = Omit<z.output<typeof storedConnection>, 'sealedToken'>;

/** The renderer's view of a connection: no token, no CA text. */
export function connectionView(c: ServiceConnection, tokenSaved: boolean): ServiceConnectionView {
  return { url: c.url, serverId: c.serverId, auth: c.auth, profile: c.profile, region: c.region, stsEndpoint: c.stsEndpoint, hasCa: Boolean(c.ca), tokenSaved };
}

/**
 * The remembered service connection: one JSON file beside the console settings (or memory only when
 * `file` is null), with the local admin token kept only sealed by the same SecretBox the settings
 * use for passwords. Without an OS keychain the token is simply not kept. A damaged file is set aside.
 */
export function createServiceStore(options: { file: string | null; secrets: SecretBox }) {
  const { file, secrets } = options;
  let state = readStateFile(file, storedFile);
  const write = (): void => {
    try {
      writeStateFile(file, state);
    } catch (err) {
      throw new SealpostError(SERVICE_ERRORS.store, 'Could not save the service connection; check that your home folder is writable.', { cause: err });
    }
  };

  return {
    /** The saved connection (no secret), or null. */
    get(): ServiceConnection | null {
      if (!state.connection) return null;
      const { sealedToken: _sealed, ...clear } = state.connection;
      return clear;
    },

    view(): ServiceConnectionView | null {
      const c = this.get();
      return c ? connectionView(c, Boolean(state.connection?.sealedToken)) : null;
    },

    secretsAvailable: (): boolean => secrets.available(),

    /**
     * Remembers `conn`. A token given is sealed (kept only if the box can seal); no token given keeps
     * the one saved for the same URL; AWS sign-in keeps none (sessions are short and re-signed).
     */
    save(conn: ServiceConnection, token: string | undefined): void {
      const previous = state.connection;
      let sealedToken: string | undefined;
      if (conn.auth === 'token') {
        if (token) sealedToken = secrets.available() ? secrets.encrypt(token) : undefined;
        else if (previous?.url === conn.url) sealedToken = previous.sealedToken;
      }
      state.connection = { ...conn, ...(sealedToken ? { sealedToken } : {}) };
      write();
    },

    /** The saved token for `url`, unsealed (main process only), or undefined. */
    token(url: string): string | undefined {
      const c = state.connection;
      if (!c?.sealedToken || c.url !== url || !secrets.available()) return undefined;
      try {
        return secrets.decrypt(c.sealedToken);
      } catch {
        return undefined;
      }
    },

    forget(): void {
      state.connection = null;
      write();
    },
  };
}

export type ServiceStore = ReturnType<typeof createServiceStore>;
