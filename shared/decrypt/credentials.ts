import { fromIni, fromNodeProviderChain, fromSSO } from '@aws-sdk/credential-providers';
import { parseKnownFiles } from '@smithy/core/config';
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
 * Whether fromIni would resolve this profile through its SSO step: the checks of
 * @aws-sdk/credential-provider-ini's resolveProfileData, in its order (assume-role, static keys,
 * web identity and credential_process come before SSO).
 */
function resolvesThroughSso(p: Record<string, string | undefined> | undefined): boolean {
  if (!p) return false;
  if (p.role_arn && (p.source_profile !== undefined) !== (p.credential_source !== undefined)) return false;
  if (p.aws_access_key_id && p.aws_secret_access_key) return false;
  if (p.web_identity_token_file && p.role_arn) return false;
  if (p.credential_process !== undefined) return false;
  return [p.sso_start_url, p.sso_account_id, p.sso_session, p.sso_region, p.sso_role_name].some((v) => typeof v === 'string');
}

/**
 * A named profile read from the shared files we were given. Works around an aws-sdk-js-v3 bug
 * (credential-provider-ini 3.973.x): fromIni does not forward file paths to fromSSO — its
 * resolveSsoCredentials calls fromSSO({ profile, logger, parentClientConfig, clientConfig }) without
 * `filepath`/`configFilepath`, so an SSO profile is looked up in AWS_CONFIG_FILE / ~/.aws/config
 * instead, and an expired session reads as "no credentials". So SSO profiles go to fromSSO with the
 * files; every other kind stays with fromIni. The files are read through the SDK's own parser (same
 * merge and same per-process cache as fromIni), on each call, so the choice follows the files.
 */
function namedProfile(profile: string, files: { configFilepath?: string; filepath?: string }, clientConfig?: { endpoint: string; region: string }): Provider {
  const init = { profile, ...files, ...(clientConfig ? { clientConfig } : {}) };
  const ini = fromIni(init) as unknown as Provider;
  const sso = fromSSO(init) as unknown as Provider;
  return async () => {
    const profiles = await parseKnownFiles({ profile, ...files });
    return resolvesThroughSso(profiles[profile]) ? sso() : ini();
  };
}

/**
 * Credentials of one profile, resolved once and shared by every client of one opener, refreshed five
 * minutes before they expire. Failures are not remembered: after `aws sso login` the next call
 * succeeds without restarting the console. `fromIni` covers static keys, assume-role chains, SSO
 * (legacy and sso-session) and credential_process, for a named profile; with explicit shared files,
 * SSO profiles go through `fromSSO` instead (see namedProfile).
 */
export function profileCredentials(opts: ProfileCredentialsOptions): AwsCredentials {
  const clientConfig = opts.stsEndpoint ? { endpoint: opts.stsEndpoint, region: opts.region } : undefined;
  const files = {
    ...(opts.configFile ? { configFilepath: opts.configFile } : {}),
    ...(opts.credentialsFile ? { filepath: opts.credentialsFile } : {}),
  };
  const inner: Provider = !opts.profile
    ? (fromNodeProviderChain(clientConfig ? { clientConfig } : {}) as unknown as Provider)
    : opts.configFile || opts.credentialsFile
      ? namedProfile(opts.profile, files, clientConfig)
      : (fromIni({ profile: opts.profile, ...(clientConfig ? { clientConfig } : {}) }) as unknown as Provider);
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
