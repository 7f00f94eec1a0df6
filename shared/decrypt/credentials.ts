import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentials } from '../kms/kms-client.js';

type Identity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };
type Provider = () => Promise<Identity>;

export interface ProfileCredentialsOptions {
  /** Named profile; omitted = the default Node chain (env, default profile, SSO, process, container/instance role). */
  profile?: string;
  /** Shared config file; default AWS_CONFIG_FILE or ~/.aws/config. */
  configFile?: string;
  /** Shared credentials file; default AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials. */
  credentialsFile?: string;
  /** STS endpoint for profiles that assume a role (tests, VPC endpoints). */
  stsEndpoint?: string;
  region: string;
}

/**
 * Credentials of one profile, resolved once and shared by every client of one opener, refreshed five
 * minutes before they expire. Failures are not remembered: after `aws sso login` the next call
 * succeeds without restarting the console. `fromIni` covers static keys, assume-role chains, SSO
 * (legacy and sso-session) and credential_process, for a named profile.
 */
export function profileCredentials(opts: ProfileCredentialsOptions): AwsCredentials {
  const clientConfig = opts.stsEndpoint ? { endpoint: opts.stsEndpoint, region: opts.region } : undefined;
  const inner = (
    opts.profile
      ? fromIni({
          profile: opts.profile,
          ...(opts.configFile ? { configFilepath: opts.configFile } : {}),
          ...(opts.credentialsFile ? { filepath: opts.credentialsFile } : {}),
          ...(clientConfig ? { clientConfig } : {}),
        })
      : fromNodeProviderChain(clientConfig ? { clientConfig } : {})
  ) as unknown as Provider;
  let current: Promise<Identity> | undefined;
  const provider = async (): Promise<Identity> => {
    const held = current;
    if (held) {
      const c = await held.catch(() => undefined);
      if (c && (!c.expiration || c.expiration.getTime() - Date.now() > 5 * 60_000)) return c;
      if (current === held) current = undefined;
    }
    current ??= inner();
    const p = current;
    p.catch(() => {
      if (current === p) current = undefined;
    });
    return p;
  };
  return provider;
}
