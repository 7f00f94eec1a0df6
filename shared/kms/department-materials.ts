import { NodeCachingMaterialsManager, getLocalCryptographicMaterialsCache } from '@aws-crypto/client-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import { SealpostError } from '../errors/index.js';
import type { KeySpec, Policy } from '../policy/index.js';
import { localKeyringsFromPolicy } from '../seal/local-keys.js';
import type { MaterialsHooks } from '../seal/index.js';
import { SealOpenKeyring, anyOf } from './department-keyring.js';
import { KmsKeyringNode } from '@aws-crypto/client-node';
import { KMS_ERRORS } from './errors.js';
import { createKmsClients, type KmsCallCounts, type KmsClients, type KmsConnection } from './kms-client.js';
import { regionOfKeyId } from './key-arn.js';

/** The service's `kms` config section (ingest-service config-schema), plus optional explicit credentials. */
export interface KmsSettings extends Partial<KmsConnection> {
  /** A cached data key seals at most this many messages. Default 100,000. */
  cacheMaxMessages?: number;
  /** ...and lives at most this many seconds. Default 300. */
  cacheMaxAgeSeconds?: number;
}

export interface DepartmentMaterialsOptions {
  /** Folder of local department keys (`dataDir/keys`); needed when the policy names `{ local }` keys. */
  localDir?: string;
  /** Create missing local keys (the service: yes; read-only tools: no). Default true. */
  createLocalKeys?: boolean;
  kms?: KmsSettings;
  /** Use these KMS clients instead of building them from `kms` (tests share one counter). */
  kmsClients?: KmsClients;
}

/** Per-department materials for the sealer, and the KMS traffic they cause. */
export interface DepartmentMaterials {
  /**
   * The department's caching materials manager over its keyring. With `hooks` (the sealer's), the
   * keyring is wrapped with `hooks.countKeyring` first and a fresh CMM is returned; without, one CMM per
   * department is kept and returned on every call.
   */
  materialsFor(department: string, hooks?: MaterialsHooks): NodeCachingMaterialsManager;
  /** The department's keyring (first key seals, all keys open). */
  keyringFor(department: string): KeyringNode;
  /**
   * The same limits for `createSectionSealer({ materialsFor, limits })`, which holds materials itself
   * and asks the CMM without a plaintext length (so the CMM's own cache never serves it).
   */
  readonly limits: { maxMessages: number; maxAgeMs: number };
  /** KMS calls made so far by every department's keyring: the numerator of `kms_calls_per_100k`. */
  kmsCalls(): KmsCallCounts;
  close(): void;
}

const DEFAULT_REGION = 'us-east-1';

function kmsIdsOf(keys: readonly KeySpec[]): string[] {
  return keys.flatMap((k) => ('kms' in k ? [k.kms] : []));
}

/**
 * Builds `materialsFor(department)` for a policy: a NodeCachingMaterialsManager with explicit limits
 * over the department's keyring (KMS or local), so KMS sees about one GenerateDataKey per department
 * per `cacheMaxMessages` messages or `cacheMaxAgeSeconds`, whichever comes first.
 *
 * Traps this relies on (checked in test/shared/kms):
 * - An event id (or anything per-event) in the encryption context defeats caching: the cache key is
 *   suite + encryption context, so each event would cost a KMS call. The context is
 *   department/source/policy-version only; the event id is bound inside the plaintext instead.
 * - The caching CMM only serves requests that state a plaintext length (stock `encrypt()` of a
 *   Buffer does; streams do not) and only for non-signing suites' cache-safe materials.
 * - `maxAge` of the ESDK cache is in MILLISECONDS; the config is in seconds.
 * - Local raw AES keyrings use utf8Sorting (shared/seal/local-keys.ts) and get a copy of the key,
 *   because the raw keyring zeroes the buffer it is given.
 */
export function departmentMaterials(policy: Pick<Policy, 'departments'>, options: DepartmentMaterialsOptions = {}): DepartmentMaterials {
  const maxMessages = options.kms?.cacheMaxMessages ?? 100_000;
  const maxAgeMs = (options.kms?.cacheMaxAgeSeconds ?? 300) * 1000;
  const hasLocal = Object.values(policy.departments).some((d) => d.keys.some((k) => 'local' in k));
  const allKms = Object.values(policy.departments).flatMap((d) => kmsIdsOf(d.keys));
  if (hasLocal && !options.localDir) {
    throw new SealpostError(KMS_ERRORS.noLocalKeys, 'the policy names local department keys but no local key folder was given (dataDir/keys)');
  }
  const local = hasLocal ? localKeyringsFromPolicy(options.localDir!, policy, { create: options.createLocalKeys ?? true }) : new Map();
  let clients = options.kmsClients;
  const ownsClients = !clients && allKms.length > 0;
  if (!clients && allKms.length > 0) {
    const region = options.kms?.region ?? regionOfKeyId(allKms[0]!) ?? process.env.AWS_REGION ?? DEFAULT_REGION;
    clients = createKmsClients({ ...options.kms, region });
  }

  const keyrings = new Map<string, KeyringNode>();
  const keyringFor = (department: string): KeyringNode => {
    const known = keyrings.get(department);
    if (known) return known;
    const dept = policy.departments[department];
    if (!dept) {
      throw new SealpostError(KMS_ERRORS.unknownDepartment, `department "${department}" is not in the sealing policy`, { details: { department } });
    }
    const first = dept.keys[0]!;
    const kmsIds = kmsIdsOf(dept.keys);
    const localRings = local.get(department);
    let seal: KeyringNode | undefined;
    if ('kms' in first) seal = new KmsKeyringNode({ generatorKeyId: first.kms, clientProvider: clients!.clientProvider });
    else seal = localRings?.encrypt;
    const openers: KeyringNode[] = [];
    // Opening by a listed id needs the key ARN (the encrypted data key names the ARN); aliases only seal.
    const openIds = kmsIds.filter((id) => id.includes(':key/'));
    if (openIds.length) openers.push(new KmsKeyringNode({ keyIds: openIds, clientProvider: clients!.clientProvider }));
    if (localRings) openers.push(localRings.decrypt);
    const keyring = new SealOpenKeyring(seal, openers.length ? anyOf(openers) : seal!, 'kms' in first ? first.kms : undefined);
    keyrings.set(department, keyring);
    return keyring;
  };

  const cmms = new Map<string, NodeCachingMaterialsManager>();
  const build = (department: string, keyring: KeyringNode): NodeCachingMaterialsManager =>
    new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: getLocalCryptographicMaterialsCache(64),
      partition: `sealpost:${department}`,
      maxAge: maxAgeMs,
      maxMessagesEncrypted: maxMessages,
    });

  return {
    materialsFor(department, hooks) {
      const keyring = keyringFor(department);
      if (hooks) return build(department, hooks.countKeyring(keyring));
      let cmm = cmms.get(department);
      if (!cmm) {
        cmm = build(department, keyring);
        cmms.set(department, cmm);
      }
      return cmm;
    },
    keyringFor,
    limits: { maxMessages, maxAgeMs },
    kmsCalls: () => clients?.calls() ?? { total: 0, failed: 0, byOperation: {} },
    close: () => {
      if (ownsClients) clients?.destroy();
    },
  };
}
