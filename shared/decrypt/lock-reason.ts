import type { EncryptedDataKey } from '@aws-crypto/material-management-node';
import { kmsFailureKind, type KmsCallFailure, type KmsFailureKind } from '../kms/index.js';
import { parseKmsArn } from '../kms/key-arn.js';
import { LOCAL_KEY_NAMESPACE } from '../seal/local-keys.js';
import type { LockedSection, LockReasonCode } from './types.js';

/** Who is trying to open, and with what, to write messages a person can act on. */
export interface LockContext {
  /** Profile name; undefined = the default credential chain or explicit credentials. */
  profile: string | undefined;
  /** True when the opener was given explicit credentials (no profile, no chain). */
  explicitCredentials?: boolean;
  /** Printable caller ARN, when known. */
  identity: string | undefined;
  /** Where KMS is asked (endpoint or region), for "unreachable" messages. */
  kmsWhere: string;
  localKeysDir: string | undefined;
  /** Local key names this opener holds. */
  localKeys: ReadonlySet<string>;
  /** Local key name -> why it could not be loaded (wrong mode, wrong length). */
  localKeyProblems: ReadonlyMap<string, string>;
  /** Accounts a discovery filter limits KMS to; undefined = no filter. */
  trustedAccounts: readonly string[] | undefined;
}

/** A failure to open, already turned into the lock reason shown for the section. */
export class LockError extends Error {
  readonly lock: LockedSection;
  constructor(lock: LockedSection, cause?: unknown) {
    super(lock.message, cause === undefined ? undefined : { cause });
    this.name = 'LockError';
    this.lock = lock;
  }
}

const PRIORITY: KmsFailureKind[] = ['sso_expired', 'no_credentials', 'credentials_rejected', 'access_denied', 'key_disabled', 'key_not_found', 'unreachable', 'tampered', 'rejected'];

/**
 * A caller ARN fit to show and log: the session name of an assumed role is often the person's email
 * address (SSO sessions), which is personal, so it is replaced.
 */
export function printableArn(arn: string): string {
  const m = /^(arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[^/]+)\/(.+)$/.exec(arn);
  if (m && /@/.test(m[2]!)) return `${m[1]}/<session>`;
  return arn;
}

function who(ctx: LockContext): string {
  const name = ctx.profile ? `profile ${ctx.profile}` : ctx.explicitCredentials ? 'the given AWS credentials' : 'the default AWS credentials';
  return ctx.identity ? `${name} (${ctx.identity})` : name;
}

function locked(code: LockReasonCode, message: string): LockedSection {
  return { state: 'locked', code, message };
}

/** The local key name a raw AES data key names (providerInfo = name + tag/iv lengths + iv). */
export function localKeyNameOf(edk: Pick<EncryptedDataKey, 'providerId' | 'providerInfo'>): string | undefined {
  if (edk.providerId !== LOCAL_KEY_NAMESPACE) return undefined;
  return /^[A-Za-z0-9_-]{1,64}/.exec(edk.providerInfo)?.[0];
}

function fromKmsFailure(kind: KmsFailureKind, f: KmsCallFailure, ctx: LockContext, department: string): LockedSection {
  const key = f.keyId ?? 'its key';
  const profileFlag = ctx.profile ? ` --profile ${ctx.profile}` : '';
  switch (kind) {
    case 'sso_expired':
      return locked('sso_expired', `the SSO session of ${ctx.profile ? `profile ${ctx.profile}` : 'the default profile'} has expired or was never started: run \`aws sso login${profileFlag}\`, then retry`);
    case 'no_credentials':
      return locked('no_credentials', `${ctx.profile ? `profile ${ctx.profile}` : ctx.explicitCredentials ? 'the given AWS credentials' : 'the default AWS credential chain'} has no usable credentials (${shortReason(f.error)}); add them to the shared AWS files or pick another profile`);
    case 'credentials_rejected':
      return locked('no_credentials', `AWS rejected the credentials of ${who(ctx)} (expired or revoked); refresh them${ctx.profile ? ` (e.g. \`aws sso login${profileFlag}\` or new keys)` : ''} and retry`);
    case 'access_denied':
      return locked('access_denied', `${who(ctx)} may not use key ${key} of department ${department}; ask for kms:Decrypt on it (granted with the condition kms:EncryptionContext:sealpost:department = ${department})`);
    case 'key_disabled':
      return locked('key_not_found', `key ${key} of department ${department} is disabled or pending deletion; ask its owner to re-enable it`);
    case 'key_not_found': {
      const account = f.keyId ? parseKmsArn(f.keyId)?.accountId : undefined;
      return locked(
        'key_not_found',
        `key ${key} of department ${department} is not visible to ${who(ctx)}: it is in another account${account ? ` (${account})` : ''} or region, or was deleted; ask its owner for kms:Decrypt, or use a profile of that account`,
      );
    }
    case 'unreachable':
      return locked('kms_unreachable', `KMS (${ctx.kmsWhere}) did not answer or throttled (${shortReason(f.error)}); check the network or VPN and retry`);
    case 'rejected':
      return locked('unknown', `KMS rejected the request for key ${key} of department ${department} (${shortReason(f.error)})`);
    case 'tampered':
      return locked('tampered', `KMS refused the data key of this ${department} section as invalid ciphertext (altered, or sealed under another encryption context)`);
  }
}

function shortReason(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string } | undefined;
  const text = e?.code ?? e?.name ?? 'error';
  const msg = typeof e?.message === 'string' ? e.message.split('\n')[0]!.slice(0, 160) : '';
  return msg && text !== msg ? `${text}: ${msg}` : text;
}

/**
 * The lock reason for a section whose data key could not be had. KMS failures (captured per call, since
 * the ESDK flattens them into one string) decide it first, the most actionable first; without any, the
 * data keys tell whether a local key is missing or the key's account is outside the trusted ones.
 */
export function lockForFailure(failures: readonly KmsCallFailure[], error: unknown, edks: readonly EncryptedDataKey[], ctx: LockContext, department: string): LockedSection {
  const kinds = failures.map((f) => ({ f, kind: kmsFailureKind(f.error) }));
  for (const kind of PRIORITY) {
    const hit = kinds.find((k) => k.kind === kind);
    if (hit) return fromKmsFailure(kind, hit.f, ctx, department);
  }
  const kmsKeys = edks.filter((e) => e.providerId === 'aws-kms').map((e) => e.providerInfo);
  const localNames = edks.map(localKeyNameOf).filter((n): n is string => Boolean(n));
  const problem = localNames.map((n) => ctx.localKeyProblems.get(n)).find(Boolean);
  if (problem && !localNames.some((n) => ctx.localKeys.has(n))) {
    return locked('no_local_key', `this ${department} section needs local key "${localNames[0]}", which could not be loaded: ${problem}`);
  }
  if (localNames.length && !localNames.some((n) => ctx.localKeys.has(n))) {
    return locked(
      'no_local_key',
      `this ${department} section is sealed with local key "${localNames[0]}", which is not in ${ctx.localKeysDir ?? 'this console (no local key folder set)'}; copy ${localNames[0]}.key from the ingest service's key folder`,
    );
  }
  if (localNames.length && !kmsKeys.length) {
    return locked('no_local_key', `local key "${localNames[0]}" in ${ctx.localKeysDir} does not open this ${department} section: it is another key with the same name; copy the service's ${localNames[0]}.key`);
  }
  if (kmsKeys.length && ctx.trustedAccounts) {
    const account = parseKmsArn(kmsKeys[0]!)?.accountId;
    return locked(
      'key_not_found',
      `this ${department} section is sealed under key ${kmsKeys[0]} in account ${account ?? '?'}, outside the accounts this console asks KMS about (${ctx.trustedAccounts.join(', ')}); add the account to the policy if it is yours`,
    );
  }
  if (!kmsKeys.length && !localNames.length) {
    return locked('unknown', `this ${department} section is sealed with a key provider Sealpost does not know (${edks.map((e) => e.providerId).join(', ') || 'none'})`);
  }
  return locked('unknown', `could not open this ${department} section (${shortReason(error)})`);
}
