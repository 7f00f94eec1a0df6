import { createHash, randomUUID } from 'node:crypto';
import { NodeCachingMaterialsManager, getLocalCryptographicMaterialsCache } from '@aws-crypto/client-node';
import type { KeyringNode, NodeDecryptionMaterial, NodeMaterialsManager } from '@aws-crypto/material-management-node';
import { captureKmsFailures } from '../kms/index.js';
import { LockError, lockForFailure, type LockContext } from './lock-reason.js';
import { oldestEvictor } from '../collections/oldest-evictor.js';

type DecryptRequest = Parameters<NodeMaterialsManager['decryptMaterials']>[0];

export interface OpeningMaterialsOptions {
  keyring: KeyringNode;
  /** How long an unwrapped data key is reused. */
  maxAgeMs: number;
  /** Data keys kept. */
  capacity: number;
  /** How long a failure (denied, not found, no credentials) is remembered per data key, so a batch asks KMS once. */
  failureTtlMs: number;
  /** Context for lock messages; `department` is read from the request's encryption context. */
  lockContext(): LockContext;
  departmentOf(request: DecryptRequest): string;
}

function requestKey(request: DecryptRequest): string {
  const h = createHash('sha256');
  h.update(String(request.suite.id));
  for (const edk of request.encryptedDataKeys) {
    h.update('\u0000' + edk.providerId + '\u0000' + edk.providerInfo + '\u0000');
    h.update(edk.encryptedDataKey);
  }
  for (const [k, v] of Object.entries(request.encryptionContext).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`\u0001${k}\u0000${v}`);
  return h.digest('base64');
}

/**
 * The decrypt-side materials manager of ONE opener (one identity): the ESDK's caching CMM over the
 * opener's keyrings, so 500 envelopes sealed under one data key cost one KMS Decrypt, plus two things
 * it lacks for batches: concurrent requests for the same data key wait for the first instead of all
 * calling KMS, and a failure is remembered briefly so a batch of locked sections asks KMS once.
 * Failures are thrown as LockError carrying the reason (see lock-reason.ts). Never shared between
 * profiles: the cache partition is random per instance.
 */
export function createOpeningMaterials(opts: OpeningMaterialsOptions): NodeMaterialsManager & { clear(): void } {
  const caching = new NodeCachingMaterialsManager({
    backingMaterials: opts.keyring,
    cache: getLocalCryptographicMaterialsCache(opts.capacity),
    partition: randomUUID(),
    maxAge: opts.maxAgeMs,
  });
  const failures = new Map<string, { error: LockError; until: number }>();
  const evictOldestFailure = oldestEvictor(failures);
  const inflight = new Map<string, Promise<unknown>>();

  async function decryptMaterials(request: DecryptRequest): Promise<NodeDecryptionMaterial> {
    const key = requestKey(request);
    for (;;) {
      const failed = failures.get(key);
      if (failed && failed.until > Date.now()) throw failed.error;
      if (failed) failures.delete(key);
      const running = inflight.get(key);
      if (!running) break;
      await running.catch(() => undefined);
    }
    const attempt = captureKmsFailures(() => caching.decryptMaterials(request));
    inflight.set(key, attempt);
    try {
      const outcome = await attempt;
      if ('result' in outcome) return outcome.result;
      const lock = lockForFailure(outcome.failures, outcome.error, request.encryptedDataKeys, opts.lockContext(), opts.departmentOf(request));
      const error = new LockError(lock, outcome.error);
      // Unreachable KMS is remembered only a moment: the next batch should try again.
      failures.set(key, { error, until: Date.now() + (lock.code === 'kms_unreachable' ? Math.min(opts.failureTtlMs, 2_000) : opts.failureTtlMs) });
      if (failures.size > 10_000) evictOldestFailure();
      throw error;
    } finally {
      inflight.delete(key);
    }
  }

  return {
    getEncryptionMaterials: () => Promise.reject(new Error('an opener never encrypts')),
    decryptMaterials,
    clear: () => failures.clear(),
  } as NodeMaterialsManager & { clear(): void };
}
