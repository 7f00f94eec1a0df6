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
/** Services remembered at most: the file is read with this cap, so saving is refused beyond it (else the next start would set the whole fleet aside as damaged). */
export const MAX_REMEMBERED_SERVICES = 100;
/** Today's file: the remembered fleet, in the order services were added. */
const fileV2 = z.strictObject({ version: z.literal(2), connections: z.array(storedConnection).max(MAX_REMEMBERED_SERVICES) });
/** The file before fleets (one service); still read, and written back as version 2 on the next change. */
const fileV1 = z
  .strictObject({ version: z.literal(1).default(1), connection: storedConnection.nullable().default(null) })
  .transform((v1) => ({ version: 2 as const, connections: v1.connection ? [v1.connection] : [] }));
const storedFile = z.union([fileV2, fileV1]);
type Stored = z.output<typeof storedConnection>;

/** A service connection without its secret (what is saved in clear). */
export type ServiceConnection = Omit<z.output<typeof storedConnection>, 'sealedToken'>;

/** The renderer's view of a connection: no token, no CA text. */
export function connectionView(c: ServiceConnection, tokenSaved: boolean): ServiceConnectionView {
  return { url: c.url, serverId: c.serverId, auth: c.auth, profile: c.profile, region: c.region, stsEndpoint: c.stsEndpoint, hasCa: Boolean(c.ca), tokenSaved };
}

/**
 * The remembered fleet of service connections: one owner-only JSON file beside the console settings
 * (or memory only when `file` is null), one entry per admin URL, each local admin token kept only
 * sealed by the same SecretBox the settings use for passwords. Without an OS keychain a token is
 * simply not kept. A damaged file is set aside; a file from before fleets loads as a fleet of one.
 */
export function createServiceStore(options: { file: string | null; secrets: SecretBox }) {
  const { file, secrets } = options;
  const state = readStateFile(file, storedFile);
  const write = (): void => {
    try {
      writeStateFile(file, state);
    } catch (err) {
      throw new SealpostError(SERVICE_ERRORS.store, 'Could not save the service connections; check that your home folder is writable.', { cause: err });
    }
  };
  const find = (url: string): Stored | undefined => state.connections.find((c) => c.url === url);
  const assertRoom = (url: string): void => {
    if (find(url) || state.connections.length < MAX_REMEMBERED_SERVICES) return;
    throw new SealpostError(
      SERVICE_ERRORS.fleetFull,
      `The console already remembers ${MAX_REMEMBERED_SERVICES} services, its maximum: forget one (Ingest service, Forget) before remembering ${url}, or connect without remembering it.`,
      { status: 409 },
    );
  };
  const clear = ({ sealedToken: _sealed, ...c }: Stored): ServiceConnection => c;

  return {
    /** The saved connections (no secret). */
    list: (): ServiceConnection[] => state.connections.map(clear),

    views: (): ServiceConnectionView[] => state.connections.map((c) => connectionView(clear(c), Boolean(c.sealedToken))),

    /** Whether a token is kept for `url`. */
    tokenSaved: (url: string): boolean => Boolean(find(url)?.sealedToken),

    secretsAvailable: (): boolean => secrets.available(),

    /** Throws SP_CONSOLE_SERVICE_FLEET_FULL when `url` is new and the fleet is at its maximum (checked before signing in). */
    assertRoom,

    /**
     * Remembers `conn` (replacing the entry of the same URL, in place). A token given is sealed (kept
     * only if the box can seal); no token given keeps the one saved for that URL; AWS sign-in keeps
     * none (sessions are short and re-signed). A new URL beyond the maximum is refused (SP_CONSOLE_SERVICE_FLEET_FULL).
     */
    save(conn: ServiceConnection, token: string | undefined): void {
      assertRoom(conn.url);
      const previous = find(conn.url);
      let sealedToken: string | undefined;
      if (conn.auth === 'token') {
        if (token) sealedToken = secrets.available() ? secrets.encrypt(token) : undefined;
        else sealedToken = previous?.sealedToken;
      }
      const next: Stored = { ...conn, ...(sealedToken ? { sealedToken } : {}) };
      const at = state.connections.findIndex((c) => c.url === conn.url);
      if (at >= 0) state.connections[at] = next;
      else state.connections.push(next);
      write();
    },

    /** The saved token for `url`, unsealed (main process only), or undefined. */
    token(url: string): string | undefined {
      const c = find(url);
      if (!c?.sealedToken || !secrets.available()) return undefined;
      try {
        return secrets.decrypt(c.sealedToken);
      } catch {
        return undefined;
      }
    },

    /** Drops `url` from the remembered fleet (its sealed token with it). */
    forget(url: string): void {
      const kept = state.connections.filter((c) => c.url !== url);
      if (kept.length === state.connections.length) return;
      state.connections = kept;
      write();
    },
  };
}

export type ServiceStore = ReturnType<typeof createServiceStore>;
