import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createLocalKeysOpener, createProfileOpener, printableArn, profileCredentials, type ProfileOpener, type SectionResult } from '../decrypt/index.js';
import { SealpostError } from '../errors/index.js';
import { kmsFailureKind, type AwsCredentials } from '../kms/index.js';
import { CONSUMER_ERRORS } from './errors.js';

/** Where a department consumer's keys come from: an AWS profile (KMS), a local key folder, or both. */
export interface ConsumerKeysOptions {
  /** AWS profile of the shared files (KMS keys). Omitted with `keysDir` = local keys only. */
  profile?: string;
  /** Folder of local department keys (`NAME.key`), as the ingest service writes them. */
  keysDir?: string;
  /** Default region (a key is asked in the region its ARN names). */
  region?: string;
  /**
   * AWS accounts whose KMS keys may be asked (the discovery filter). Required with a profile or credentials:
   * without it anyone who can write to the topic could seal forged fields under a key of their own account.
   */
  accountIds?: string[];
  /** Endpoint overrides (VPC endpoints; moto in tests). */
  kmsEndpoint?: string;
  stsEndpoint?: string;
  /** Explicit credentials instead of a profile. */
  credentials?: AwsCredentials;
  configFile?: string;
  credentialsFile?: string;
}

function regionOf(opts: ConsumerKeysOptions): string {
  return opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * The keys of one department consumer, as an opener of the decryption library: its per-identity
 * data-key cache (KMS asked once per data key for as long as the cache keeps it), single-flight and
 * remembered failures. With only `keysDir` no AWS identity is used at all.
 */
export function createConsumerKeys(opts: ConsumerKeysOptions): ProfileOpener {
  const region = regionOf(opts);
  if (opts.keysDir && !opts.profile && !opts.credentials) return kmsSealedIsNotFound(createLocalKeysOpener({ localKeysDir: opts.keysDir, region }));
  if (!opts.accountIds?.length) {
    throw new SealpostError(CONSUMER_ERRORS.badOptions, 'KMS keys need the AWS accounts to trust (accountIds / --account): without them a record sealed under any account\'s key would be opened');
  }
  return createProfileOpener({
    region,
    accountIds: [...opts.accountIds],
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.keysDir ? { localKeysDir: opts.keysDir } : {}),
    ...(opts.kmsEndpoint ? { endpoint: opts.kmsEndpoint } : {}),
    ...(opts.stsEndpoint ? { stsEndpoint: opts.stsEndpoint } : {}),
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
    ...(opts.credentialsFile ? { credentialsFile: opts.credentialsFile } : {}),
  });
}

/**
 * With local keys only there is no AWS identity, so a KMS-sealed section locks "no credentials" in the
 * shared opener (right for the console's Local keys identity). A consumer given `--keys` did not ask for
 * AWS at all: for it the key is simply not among its keys, `key_not_found` as the Python and Java recipes
 * say, with how to read such sections.
 */
function kmsSealedIsNotFound(opener: ProfileOpener): ProfileOpener {
  const notFound = (department: string, section: SectionResult): SectionResult =>
    section.state !== 'locked' || section.code !== 'no_credentials'
      ? section
      : {
          state: 'locked',
          code: 'key_not_found',
          message: `this ${department} section is sealed under a KMS key, and local keys only were given (--keys): read it with --profile P --account ID`,
        };
  return {
    ...opener,
    async open(envelopes, options) {
      const opened = await opener.open(envelopes, options);
      for (const o of opened) {
        for (const [department, section] of Object.entries(o.sections)) o.sections[department] = notFound(department, section);
      }
      return opened;
    },
    openSectionSync(envelope, department, options) {
      const section = opener.openSectionSync!(envelope, department, options);
      return section && notFound(department, section);
    },
  };
}

/**
 * Proves the AWS identity can authenticate before reading a single record (STS GetCallerIdentity), so
 * a consumer with no credentials or an expired SSO session stops at once with what to do, instead of
 * printing one locked line per record. A profile that authenticates but lacks kms:Decrypt passes: that
 * is reported per record (`access_denied`). Returns the printable caller ARN.
 */
export async function verifyIdentity(opts: ConsumerKeysOptions): Promise<string> {
  const region = regionOf(opts);
  const credentials =
    opts.credentials ??
    profileCredentials({
      region,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.configFile ? { configFile: opts.configFile } : {}),
      ...(opts.credentialsFile ? { credentialsFile: opts.credentialsFile } : {}),
      ...(opts.stsEndpoint ? { stsEndpoint: opts.stsEndpoint } : {}),
    });
  const sts = new STSClient({ region, credentials, maxAttempts: 2, ...(opts.stsEndpoint ? { endpoint: opts.stsEndpoint } : {}) });
  const who = opts.profile ? `profile ${opts.profile}` : opts.credentials ? 'the given AWS credentials' : 'the default AWS credentials';
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return printableArn(out.Arn ?? 'unknown');
  } catch (err) {
    const kind = kmsFailureKind(err);
    const first = ((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 200);
    const hint =
      kind === 'sso_expired'
        ? `run \`aws sso login${opts.profile ? ` --profile ${opts.profile}` : ''}\``
        : kind === 'unreachable'
          ? 'check the network or VPN (STS did not answer)'
          : 'add credentials to the shared AWS files, or pick another profile';
    throw new SealpostError(CONSUMER_ERRORS.cannotAuthenticate, `${who} cannot authenticate with AWS (${first}): ${hint}`, { cause: err, details: { kind } });
  } finally {
    sts.destroy();
  }
}
