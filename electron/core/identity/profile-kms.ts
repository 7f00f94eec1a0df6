import type { KMS } from '@aws-sdk/client-kms';
import { listProfiles, profileCredentials } from '../../../shared/decrypt/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { createKmsClients, regionOfKeyId, type KmsClients } from '../../../shared/kms/index.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { ProfileKms } from './identity.js';

export interface ProfileKmsOptions {
  /** Region for profiles that name none. */
  defaultRegion?: string;
  /** KMS / STS endpoint overrides (a VPC endpoint; a KMS-compatible server in tests). */
  kmsEndpoint?: string;
  stsEndpoint?: string;
  /** AWS shared files; default AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or ~/.aws. */
  configFile?: string;
  credentialsFile?: string;
}

/**
 * KMS clients for direct calls (the blind-index key) with the credentials of one "aws:NAME" profile
 * of the shared files: one set of clients per profile, never shared, so what one profile may call
 * is never done with another's credentials. Credential failures are not remembered (after
 * `aws sso login` the next call works).
 */
export function createProfileKms(opts: ProfileKmsOptions): { forProfile(profile: string): Promise<ProfileKms>; close(): void } {
  const files = { ...(opts.configFile ? { configFile: opts.configFile } : {}), ...(opts.credentialsFile ? { credentialsFile: opts.credentialsFile } : {}) };
  const held = new Map<string, Promise<{ clients: KmsClients; kms: ProfileKms }>>();

  const build = async (name: string): Promise<{ clients: KmsClients; kms: ProfileKms }> => {
    const info = (await listProfiles(files)).find((p) => p.name === name);
    if (!info) {
      throw new SealpostError(CONSOLE_ERRORS.unknownProfile, `There is no AWS profile "${name}" in your AWS config files. Pick one from the list, or add it with \`aws configure\`.`, { status: 404 });
    }
    const region = info.region ?? opts.defaultRegion ?? 'us-east-1';
    const credentials = profileCredentials({ profile: name, region, ...files, ...(opts.stsEndpoint ? { stsEndpoint: opts.stsEndpoint } : {}) });
    const clients = createKmsClients({ region, credentials, maxAttempts: 2, ...(opts.kmsEndpoint ? { endpoint: opts.kmsEndpoint } : {}) });
    const regionOf = (keyId: string): string => regionOfKeyId(keyId) ?? region;
    return {
      clients,
      kms: {
        profile: name,
        clientFor: (keyId: string): Pick<KMS, 'send'> => clients.clientProvider(regionOf(keyId)),
        where: (keyId: string) => opts.kmsEndpoint ?? `kms.${regionOf(keyId)}`,
      },
    };
  };

  return {
    async forProfile(profile) {
      const name = profile.startsWith('aws:') ? profile.slice(4) : '';
      if (!name) throw new SealpostError(CONSOLE_ERRORS.unknownProfile, `"${profile}" is not an AWS profile; pick one of your AWS profiles.`, { status: 400 });
      let entry = held.get(name);
      if (!entry) {
        entry = build(name);
        held.set(name, entry);
        entry.catch(() => held.delete(name));
      }
      return (await entry).kms;
    },
    close() {
      const list = [...held.values()];
      held.clear();
      for (const e of list) void e.then((x) => x.clients.destroy()).catch(() => {});
    },
  };
}
