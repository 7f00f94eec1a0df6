import { readStateFile, writeStateFile } from './json-file.js';
import { z } from 'zod';
import { SealpostError } from '../../../shared/errors/index.js';
import { kafkaConnectionSchema, settingsPatchSchema } from '../../../shared/console-api/schemas.js';
import type { PublicSettings, SavedConnectionView } from '../../../shared/console-api/types.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { KafkaConnection } from '../kafka/kafka-client.js';
import { chooseKeysTopic } from './keys-topic.js';

/**
 * Encrypts secrets at rest. In Electron this is safeStorage (Keychain, DPAPI, libsecret); where no
 * OS keychain is available, `available()` is false and passwords are simply not saved.
 */
export interface SecretBox {
  available(): boolean;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** A SecretBox that keeps nothing: the bridge and tests, where no secret must ever touch disk. */
export const NO_SECRET_BOX: SecretBox = {
  available: () => false,
  encrypt: () => {
    throw new Error('no secret box');
  },
  decrypt: () => {
    throw new Error('no secret box');
  },
};

const storedConnection = z.strictObject({
  connection: kafkaConnectionSchema,
  /** The password, sealed by the SecretBox; never in clear. */
  sealedPassword: z.string().optional(),
});

const storedSettings = z.strictObject({
  version: z.literal(1).default(1),
  connections: z.array(storedConnection).default([]),
  ingestUrl: z.string().nullable().default(null),
  profile: z.string().nullable().default(null),
  blindIndexKeyFile: z.string().nullable().default(null),
  localKeysDir: z.string().nullable().default(null),
  policyFile: z.string().nullable().default(null),
  subjectKeysTopic: z.string().nullable().default(null),
  theme: z.enum(['dark', 'light']).default('dark'),
});
type Stored = z.output<typeof storedSettings>;

export type SettingsPatch = z.output<typeof settingsPatchSchema>;

function view(c: z.output<typeof storedConnection>): SavedConnectionView {
  const a = c.connection.auth;
  return {
    name: c.connection.name,
    brokers: c.connection.brokers,
    tls: { enabled: c.connection.tls.enabled, rejectUnauthorized: c.connection.tls.rejectUnauthorized, hasCa: Boolean(c.connection.tls.ca) },
    auth: {
      kind: a.kind,
      ...(a.kind === 'plain' || a.kind === 'scram-sha-256' || a.kind === 'scram-sha-512' ? { username: a.username } : {}),
      ...(a.kind === 'msk-iam' ? { profile: a.profile, region: a.region } : {}),
      hasPassword: Boolean(c.sealedPassword),
    },
  };
}

/**
 * The console's settings: one JSON file (or memory only when `file` is null). Passwords go through
 * the SecretBox and are stored only sealed; `get()` returns a view with no secret in it, which is
 * all the renderer ever receives. A damaged file is set aside, not trusted.
 */
export function createSettingsStore(options: { file: string | null; secrets: SecretBox }) {
  const { file, secrets } = options;
  let state: Stored = readStateFile(file, storedSettings);
  const save = (): void => {
    try {
      writeStateFile(file, state);
    } catch (err) {
      throw new SealpostError(CONSOLE_ERRORS.settings, 'Could not save the console settings; check that your home folder is writable.', { cause: err });
    }
  };

  const get = (): PublicSettings => ({
    connections: state.connections.map(view),
    ingestUrl: state.ingestUrl,
    profile: state.profile,
    blindIndexKeyFile: state.blindIndexKeyFile,
    localKeysDir: state.localKeysDir,
    policyFile: state.policyFile,
    // As far as Settings know: the console service adds the signed-in service's keys topic (settings-handlers.ts).
    ...chooseKeysTopic(state.subjectKeysTopic, []),
    theme: state.theme,
    secretsEncrypted: secrets.available(),
  });

  return {
    get,

    patch(p: SettingsPatch): PublicSettings {
      if (p.ingestUrl !== undefined) state.ingestUrl = p.ingestUrl;
      if (p.profile !== undefined) state.profile = p.profile;
      if (p.blindIndexKeyFile !== undefined) state.blindIndexKeyFile = p.blindIndexKeyFile;
      if (p.localKeysDir !== undefined) state.localKeysDir = p.localKeysDir;
      if (p.policyFile !== undefined) state.policyFile = p.policyFile;
      if (p.subjectKeysTopic !== undefined) state.subjectKeysTopic = p.subjectKeysTopic;
      if (p.theme !== undefined) state.theme = p.theme;
      if (p.forgetConnection !== undefined) state.connections = state.connections.filter((c) => c.connection.name !== p.forgetConnection);
      save();
      return get();
    },

    /** Remembers a connection; its password is kept only if the SecretBox can seal it. */
    saveConnection(conn: KafkaConnection, password: string | undefined): void {
      const { password: _typed, ...authWithoutSecret } = conn.auth as KafkaConnection['auth'] & { password?: string };
      const clean: KafkaConnection = { ...conn, auth: authWithoutSecret as KafkaConnection['auth'] };
      const previous = state.connections.find((c) => c.connection.name === conn.name);
      const sealedPassword = password && secrets.available() ? secrets.encrypt(password) : password ? undefined : previous?.sealedPassword;
      state.connections = [...state.connections.filter((c) => c.connection.name !== conn.name), { connection: clean, ...(sealedPassword ? { sealedPassword } : {}) }];
      save();
    },

    /** The saved password of a connection, unsealed (main process only). */
    password(name: string): string | undefined {
      const c = state.connections.find((x) => x.connection.name === name);
      if (!c?.sealedPassword || !secrets.available()) return undefined;
      return secrets.decrypt(c.sealedPassword);
    },

    /** Raw values main needs (key locations), not for the renderer. */
    paths(): { blindIndexKeyFile: string | null; localKeysDir: string | null; policyFile: string | null } {
      return { blindIndexKeyFile: state.blindIndexKeyFile, localKeysDir: state.localKeysDir, policyFile: state.policyFile };
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
