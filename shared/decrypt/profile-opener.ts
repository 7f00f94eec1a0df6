import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import type { MessageHeader } from '@aws-crypto/serialize';
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Envelope } from '../envelope/index.js';
import { CONTEXT_KEYS } from '../envelope/index.js';
import { SealpostError } from '../errors/index.js';
import { anyOf, createKmsClients, discoveryFilterFor, type AwsCredentials, type KmsCallCounts } from '../kms/index.js';
import type { Policy } from '../policy/index.js';
import { profileCredentials } from './credentials.js';
import { DECRYPT_ERRORS } from './errors.js';
import { loadLocalKeyrings } from './local-keyrings.js';
import { LockError, printableArn, type LockContext } from './lock-reason.js';
import { createOpeningMaterials } from './opening-materials.js';
import { createFastOpener } from './fast-open.js';
import { checkOpenedSection, failureReason } from './section-check.js';
import { createSubjectSections } from './subject-sections.js';
import type { EnvelopeOpener, OpenedEnvelope, OpenOptions, SectionResult } from './types.js';

/** Largest number of data keys a section may carry; more is an attack on the reader (one KMS call each). */
const MAX_ENCRYPTED_DATA_KEYS = 8;

export interface ProfileOpenerOptions {
  /** AWS profile of the shared files; omitted = the default chain. Ignored when `credentials` is given. */
  profile?: string;
  /** Default region (keys are asked in the region their ARN names). */
  region: string;
  /** KMS endpoint override (tests, VPC endpoints). */
  endpoint?: string;
  /** STS endpoint override, for GetCallerIdentity and profiles that assume a role. */
  stsEndpoint?: string;
  /** Explicit credentials, instead of a profile. */
  credentials?: AwsCredentials;
  /** Shared files; default AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or ~/.aws/... */
  configFile?: string;
  credentialsFile?: string;
  /** Folder of local department keys this person holds (sections sealed with local keys). */
  localKeysDir?: string;
  /** The sealing policy: names the local keys to load, and the KMS accounts to trust (discovery filter). */
  policy?: Pick<Policy, 'departments'>;
  /** Accounts whose KMS keys may be asked; default: the accounts of the policy's key ARNs, else any. */
  accountIds?: string[];
  /** Sections opened at once. Default 16. */
  concurrency?: number;
  /** Seconds an unwrapped data key is reused. Default 300. */
  cacheMaxAgeSeconds?: number;
  /** Seconds a failure (denied, not found, no credentials) is remembered per data key. Default 30. */
  failureTtlSeconds?: number;
  /** Open V2/0x0478 framed sections without the SDK's streams (fast-open.ts). Default true; false = stock decrypt() only. */
  fastOpen?: boolean;
  /** Opened subject keys kept per keys-topic book (v2 sections, subject-sections.ts). Default 10,000. */
  subjectKeyCacheSize?: number;
}

/** An opener for one AWS identity, with what the console and the access matrix need besides opening. */
export interface ProfileOpener extends EnvelopeOpener {
  /** KMS calls so far (to show that batches reuse data keys). */
  kmsCalls(): KmsCallCounts;
  /** The key policy document of a KMS key, read with this identity (needs kms:GetKeyPolicy). */
  readKeyPolicy(keyId: string): Promise<string>;
  /** Forgets remembered failures, e.g. after `aws sso login` or a key-policy change. */
  forgetFailures(): void;
}

/**
 * Opens envelopes with one AWS profile (and/or local keys): every section is a stock ESDK decrypt with
 * a discovery KMS keyring (limited to the trusted accounts when known) and the local raw keyrings;
 * then the encryption context and the bound event id are checked. A section that cannot be opened
 * is "locked" with a reason a person can act on. Data keys are cached per opener, so per identity.
 */
export function createProfileOpener(opts: ProfileOpenerOptions): ProfileOpener {
  const credentials =
    opts.credentials ??
    profileCredentials({
      region: opts.region,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.configFile ? { configFile: opts.configFile } : {}),
      ...(opts.credentialsFile ? { credentialsFile: opts.credentialsFile } : {}),
      ...(opts.stsEndpoint ? { stsEndpoint: opts.stsEndpoint } : {}),
    });
  const kms = createKmsClients({ region: opts.region, credentials, maxAttempts: 2, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
  const sts = new STSClient({ region: opts.region, credentials, maxAttempts: 2, ...(opts.stsEndpoint ? { endpoint: opts.stsEndpoint } : {}) });
  const policyKms = opts.policy ? Object.values(opts.policy.departments).flatMap((d) => d.keys.flatMap((k) => ('kms' in k ? [k.kms] : []))) : [];
  const filter = opts.accountIds?.length
    ? { partition: 'aws', accountIDs: [...opts.accountIds] }
    : discoveryFilterFor(policyKms);
  const local = loadLocalKeyrings(opts.localKeysDir, opts.policy);
  // TRAP: KmsKeyringNode ignored discoveryFilter before @aws-crypto/client-node 5.0.1 (we need >= 5.0.1;
  // test/shared/kms/traps.test.ts checks the installed version and that no KMS call leaves the filter).
  // Without a filter a crafted record could make this profile call KMS in any account.
  const kmsKeyring = new KmsKeyringNode({ discovery: true, clientProvider: kms.clientProvider, ...(filter ? { discoveryFilter: filter } : {}) });
  const keyring = anyOf([kmsKeyring, ...local.keyrings]);

  let identityArn: string | undefined;
  let identityPromise: Promise<string> | undefined;
  let identityFailedAt = 0;
  const identity = (): Promise<string> => {
    // A failed lookup (offline, no credentials) is retried after a minute, not on every open().
    if (identityPromise && identityFailedAt && Date.now() - identityFailedAt > 60_000) identityPromise = undefined;
    identityPromise ??= sts
      .send(new GetCallerIdentityCommand({}))
      .then((out) => {
        identityFailedAt = 0;
        identityArn = printableArn(out.Arn ?? 'unknown');
        return identityArn;
      })
      .catch(() => {
        identityFailedAt = Date.now();
        const name = opts.credentials ? 'given AWS credentials' : opts.profile ? `profile ${opts.profile}` : 'default AWS credentials';
        return local.names.size ? `${name} (identity unknown) + local keys in ${opts.localKeysDir}` : `${name} (identity unknown)`;
      });
    return identityPromise;
  };

  const lockContext = (): LockContext => ({
    profile: opts.credentials ? undefined : opts.profile,
    explicitCredentials: Boolean(opts.credentials),
    identity: identityArn,
    kmsWhere: opts.endpoint ?? `kms.${opts.region}`,
    localKeysDir: opts.localKeysDir,
    localKeys: local.names,
    localKeyProblems: local.problems,
    trustedAccounts: filter?.accountIDs,
  });
  const materials = createOpeningMaterials({
    keyring,
    maxAgeMs: (opts.cacheMaxAgeSeconds ?? 300) * 1000,
    capacity: 1000,
    failureTtlMs: (opts.failureTtlSeconds ?? 30) * 1000,
    lockContext,
    departmentOf: (request) => request.encryptionContext[CONTEXT_KEYS.department] ?? 'unknown',
  });
  const fast =
    opts.fastOpen === false
      ? undefined
      : createFastOpener({ materials, maxEncryptedDataKeys: MAX_ENCRYPTED_DATA_KEYS, maxAgeMs: (opts.cacheMaxAgeSeconds ?? 300) * 1000, capacity: 1000 });
  const { decrypt } = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: MAX_ENCRYPTED_DATA_KEYS });

  const openDepartmentMessage = async (message: Buffer) => (await fast?.open(message)) ?? (await decrypt(materials, message));
  const subject = createSubjectSections({
    openDepartmentMessage,
    capacity: opts.subjectKeyCacheSize ?? 10_000,
    maxAgeMs: (opts.cacheMaxAgeSeconds ?? 300) * 1000,
    maxEncryptedDataKeys: MAX_ENCRYPTED_DATA_KEYS,
  });

  const checked = (envelope: Envelope, department: string, { plaintext, messageHeader }: { plaintext: Buffer; messageHeader: MessageHeader }): SectionResult => {
    try {
      return checkOpenedSection(envelope, department, messageHeader.encryptionContext, plaintext);
    } finally {
      plaintext.fill(0);
    }
  };
  const failed = (department: string, err: unknown): SectionResult => {
    if (err instanceof LockError) return err.lock;
    // Past the data key: the header, the commitment or the body did not authenticate.
    const reason = failureReason(err);
    return { state: 'locked', code: 'tampered', check: 'authentication', message: `the ${department} section did not authenticate (${reason}): it was altered or is not an ESDK message` };
  };

  async function openSection(envelope: Envelope, department: string, b64: string, options: OpenOptions | undefined, since: number): Promise<SectionResult> {
    const keyId = envelope.keys?.[department];
    if (keyId !== undefined) return subject.open(envelope, department, b64, keyId, options?.subjectKeys, since);
    try {
      return checked(envelope, department, await openDepartmentMessage(Buffer.from(b64, 'base64')));
    } catch (err) {
      return failed(department, err);
    }
  }

  /** openSection without a promise, when its key is cached (see EnvelopeOpener.openSectionSync). */
  function openSectionSync(envelope: Envelope, department: string, options: OpenOptions | undefined): SectionResult | undefined {
    if (closed) throw closedError();
    const b64 = envelope.sections?.[department];
    if (typeof b64 !== 'string') return undefined;
    const keyId = envelope.keys?.[department];
    if (keyId !== undefined) return options?.subjectKeys ? subject.openSync(envelope, department, b64, keyId, options.subjectKeys) : undefined;
    if (!fast) return undefined;
    try {
      const opened = fast.openCached(Buffer.from(b64, 'base64'));
      return opened ? checked(envelope, department, opened) : undefined;
    } catch (err) {
      return failed(department, err);
    }
  }

  let closed = false;
  const closedError = (): SealpostError => new SealpostError(DECRYPT_ERRORS.closed, 'this opener was closed (profile switched); create a new one');
  return {
    openSectionSync,
    async open(envelopes, options) {
      if (closed) throw closedError();
      const since = Date.now(); // the records were read before: their subject keys are on the keys topic by now
      // Resolve the identity first so lock messages can name it (one STS call per opener), but never
      // hold opening hostage to STS: local keys and KMS may work when STS does not answer.
      await Promise.race([identity(), new Promise((r) => setTimeout(r, 1_500).unref())]);
      const tasks: Array<{ e: number; department: string; b64: string }> = [];
      const results: OpenedEnvelope[] = envelopes.map((envelope, e) => {
        for (const [department, b64] of Object.entries(envelope.sections ?? {})) tasks.push({ e, department, b64 });
        return { envelope, sections: {} };
      });
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < tasks.length) {
          const t = tasks[next++]!;
          results[t.e]!.sections[t.department] = await openSection(envelopes[t.e]!, t.department, t.b64, options, since);
        }
      };
      await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, Math.max(tasks.length, 1)) }, worker));
      // Keep the envelope's own department order.
      for (const r of results) {
        const ordered: Record<string, SectionResult> = {};
        for (const d of Object.keys(r.envelope.sections ?? {})) ordered[d] = r.sections[d]!;
        r.sections = ordered;
      }
      return results;
    },
    identity,
    kmsCalls: () => kms.calls(),
    async readKeyPolicy(keyId) {
      const out = await kms.clientProvider(parseRegion(keyId) ?? opts.region).send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
      return out.Policy ?? '';
    },
    forgetFailures: () => materials.clear(),
    async close() {
      closed = true;
      materials.clear();
      fast?.clear();
      subject.clear();
      kms.destroy();
      sts.destroy();
    },
  };
}

function parseRegion(keyId: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
}
