import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { accessMatrix } from '../../../shared/access/index.js';
import type { ProfileInfo } from '../../../shared/console-api/types.js';
import { createLocalKeysOpener, createProfileOpener, listProfiles, type ProfileOpener } from '../../../shared/decrypt/index.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { DEFAULT_POLICY, policySchema, type Policy } from '../../../shared/policy/index.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { IdentityProvider } from './identity.js';
import { createProfileKms } from './profile-kms.js';

export interface ProfileIdentitiesOptions {
  settings: SettingsStore;
  /** Region for profiles that name none. */
  defaultRegion?: string;
  /** KMS / STS endpoint overrides (a VPC endpoint; a KMS-compatible server in tests). */
  kmsEndpoint?: string;
  stsEndpoint?: string;
  /** AWS shared files; default AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or ~/.aws. */
  configFile?: string;
  credentialsFile?: string;
}

/** The id of the identity made of the local key folder only. */
export const LOCAL_PROFILE = 'local';

/** Loads the sealing policy the service uses (YAML or JSON), or the embedded default. */
export async function loadPolicy(file: string | null): Promise<Policy> {
  if (!file) return policySchema.parse(DEFAULT_POLICY);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SealpostError(CONSOLE_ERRORS.settings, `Cannot read the policy file ${file}; fix the path in Settings.`, { cause: err });
  }
  const parsed = policySchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    throw new SealpostError(CONSOLE_ERRORS.settings, `The policy file ${file} is not a valid Sealpost policy: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

/**
 * Identities from the operator's machine: "local" (the local department key folder set in
 * Settings, no AWS at all) and one "aws:NAME" per profile of the AWS shared files (KMS with that
 * profile's credentials, SSO included). One opener per identity and settings, so data keys one
 * profile unwrapped are never used for another; openers of changed settings are closed. `kms()`
 * gives each AWS profile its own KMS clients for direct calls (the blind-index key).
 */
export function createProfileIdentities(opts: ProfileIdentitiesOptions): IdentityProvider {
  const openers = new Map<string, { key: string; opener: Promise<ProfileOpener> }>();
  const files = { ...(opts.configFile ? { configFile: opts.configFile } : {}), ...(opts.credentialsFile ? { credentialsFile: opts.credentialsFile } : {}) };
  let profiles: Promise<Awaited<ReturnType<typeof listProfiles>>> | undefined;
  const kms = createProfileKms(opts);

  const build = async (profile: string): Promise<{ key: string; make: () => Promise<ProfileOpener> }> => {
    const { localKeysDir, policyFile } = opts.settings.paths();
    const policy = await loadPolicy(policyFile);
    const endpoints = { ...(opts.kmsEndpoint ? { endpoint: opts.kmsEndpoint } : {}), ...(opts.stsEndpoint ? { stsEndpoint: opts.stsEndpoint } : {}) };
    if (profile === LOCAL_PROFILE) {
      if (!localKeysDir) {
        throw new SealpostError(CONSOLE_ERRORS.unknownProfile, 'No local key folder is set. Choose it in Settings (the ingest service keeps its keys in dataDir/keys).', { status: 400 });
      }
      return {
        key: `local\u0000${localKeysDir}\u0000${policyFile ?? ''}`,
        make: async () => {
          return createLocalKeysOpener({ region: opts.defaultRegion ?? 'us-east-1', localKeysDir, ...(policy ? { policy } : {}) });
        },
      };
    }
    const name = profile.startsWith('aws:') ? profile.slice(4) : '';
    profiles ??= listProfiles(files);
    const info = (await profiles).find((p) => p.name === name);
    if (!info) {
      profiles = undefined;
      throw new SealpostError(CONSOLE_ERRORS.unknownProfile, `There is no AWS profile "${name}" in your AWS config files. Pick one from the list, or add it with \`aws configure\`.`, { status: 404 });
    }
    return {
      key: `aws\u0000${name}\u0000${policyFile ?? ''}`,
      make: async () => createProfileOpener({ profile: name, region: info.region ?? opts.defaultRegion ?? 'us-east-1', policy, ...files, ...endpoints }),
    };
  };

  const openerFor = async (profile: string): Promise<ProfileOpener> => {
    const { key, make } = await build(profile);
    const held = openers.get(profile);
    if (held && held.key === key) return held.opener;
    // First use, or the profile's settings changed (another key folder or policy): the old opener and its keys go.
    if (held) void held.opener.then((o) => o.close()).catch(() => {});
    const opener = make();
    openers.set(profile, { key, opener });
    opener.catch(() => openers.delete(profile));
    return opener;
  };

  return {
    async listProfiles(): Promise<ProfileInfo[]> {
      profiles = listProfiles(files);
      const aws = await profiles;
      const { localKeysDir } = opts.settings.paths();
      return [
        { id: LOCAL_PROFILE, label: localKeysDir ? `Local keys (${localKeysDir})` : 'Local keys (no folder set)', kind: 'local' },
        ...aws.map((p) => ({
          id: `aws:${p.name}`,
          label: p.name,
          kind: 'aws' as const,
          credentials: p.kind,
          ...(p.region ? { region: p.region } : {}),
          ...(p.ssoStartUrl ? { ssoStartUrl: p.ssoStartUrl } : {}),
        })),
      ];
    },

    opener: (profile) => openerFor(profile) as Promise<EnvelopeOpener>,

    async accessMatrix(profile, probes, options) {
      const opener = await openerFor(profile);
      const policy = await loadPolicy(opts.settings.paths().policyFile);
      return accessMatrix({ policy, opener, probes, ...(options ? { openOptions: options } : {}), ...(profile === LOCAL_PROFILE ? {} : { kms: opener }) });
    },

    kms: (profile) => kms.forProfile(profile),

    async close() {
      const list = [...openers.values()];
      openers.clear();
      kms.close();
      await Promise.allSettled(list.map(async (h) => (await h.opener).close()));
    },
  };
}
