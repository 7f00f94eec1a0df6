import {
  CommitmentPolicy,
  KeyringNode,
  NodeDefaultCryptographicMaterialsManager,
  type EncryptionContext,
  type NodeEncryptionMaterial,
  type NodeMaterialsManager,
} from '@aws-crypto/material-management-node';
import { SealpostError, isSealpostError } from '../errors/index.js';
import { CountingKeyring } from './counting-keyring.js';
import { SEAL_ERRORS } from './errors.js';
import { SEAL_SUITE, createMessageWriter, type MessageWriter } from './fast-message.js';
import type { NativeSeal } from './native-seal.js';
import type { SealParts } from './write-message.js';
import type { MaterialsHooks, MaterialsLimits, SectionSealerOptions } from './section-sealer-options.js';

/** One set of encryption materials in use: what it writes from, and how much it has sealed. */
export interface Held {
  /** Template and data key (throws once retired). */
  parts(): SealParts;
  /** Zeroes the data key (once nothing will write with it again). */
  retire(): void;
  createdAt: number;
  messages: number;
  bytes: number;
}

/** True while `h` may seal `length` more bytes within `limits` (a fresh Held takes one message of any size). */
export function fits(h: Held | undefined, length: number, limits: MaterialsLimits, now: number): h is Held {
  if (!h || h.messages >= limits.maxMessages || now - h.createdAt >= limits.maxAgeMs) return false;
  return h.bytes + length <= limits.maxBytes || h.messages === 0;
}

/** Zeroes a Held's data key (once nothing will write with it again). */
export function retire(h: Held | undefined): void {
  h?.retire();
}

export const closedError = (): SealpostError => new SealpostError(SEAL_ERRORS.closed, 'the section sealer is closed; create a new one after restart');

/**
 * Materials from the departments' materials managers (their keyrings: local keys or KMS), held per
 * slot (a department and an encryption context, e.g. one source and policy version) and renewed when
 * spent. One renewal at a time per slot; every renewal is one request to the department's CMM, so at
 * most one KMS call per slot per `limits`.
 */
export function createDepartmentMaterials(opts: {
  materialsFor: SectionSealerOptions['materialsFor'];
  limits: MaterialsLimits;
  now: () => number;
  native: NativeSeal | undefined;
}) {
  const managers = new Map<string, { cmm: NodeMaterialsManager; counted: boolean }>();
  const held = new Map<string, Held>();
  const pending = new Map<string, Promise<Held>>();
  let closed = false;
  let keyringCalls = 0;
  let materialsRequests = 0;

  function managerFor(department: string): { cmm: NodeMaterialsManager; counted: boolean } {
    const known = managers.get(department);
    if (known) return known;
    let counted = false;
    const hooks: MaterialsHooks = {
      countKeyring(keyring) {
        counted = true;
        return new CountingKeyring(keyring, { onEncrypt: () => void keyringCalls++ });
      },
    };
    let result: NodeMaterialsManager | KeyringNode;
    try {
      result = opts.materialsFor(department, hooks);
    } catch (err) {
      if (isSealpostError(err)) throw err;
      throw new SealpostError(SEAL_ERRORS.noMaterialsManager, `no materials manager for department "${department}": ${(err as Error)?.message ?? String(err)}`, {
        cause: err,
        details: { department },
      });
    }
    if (result instanceof KeyringNode) result = new NodeDefaultCryptographicMaterialsManager(hooks.countKeyring(result));
    if (!result || typeof (result as NodeMaterialsManager).getEncryptionMaterials !== 'function') {
      throw new SealpostError(SEAL_ERRORS.noMaterialsManager, `materialsFor("${department}") returned neither a materials manager nor a keyring`, {
        details: { department },
      });
    }
    const entry = { cmm: result as NodeMaterialsManager, counted };
    managers.set(department, entry);
    return entry;
  }

  function renew(slot: string, department: string, encryptionContext: EncryptionContext): Promise<Held> {
    const inFlight = pending.get(slot);
    if (inFlight) return inFlight;
    const p = (async (): Promise<Held> => {
      const { cmm, counted } = managerFor(department);
      materialsRequests++;
      if (!counted) keyringCalls++;
      let material: NodeEncryptionMaterial;
      try {
        // No plaintextLength: these materials serve many messages (see SectionSealerOptions.materialsFor).
        material = await cmm.getEncryptionMaterials({ suite: SEAL_SUITE, encryptionContext, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT });
      } catch (err) {
        throw new SealpostError(
          SEAL_ERRORS.materialsUnavailable,
          `could not get encryption materials for department "${department}" (${(err as Error)?.name ?? 'Error'}: ` +
            `${(err as Error)?.message ?? String(err)}); the events stay in the journal and sealing is retried`,
          { cause: err, retriable: true, status: 503, details: { department } },
        );
      }
      if (closed) {
        material.zeroUnencryptedDataKey();
        throw closedError();
      }
      let writer: MessageWriter;
      try {
        writer = createMessageWriter(material, undefined, { native: opts.native });
      } catch (err) {
        if (material.hasUnencryptedDataKey) material.zeroUnencryptedDataKey();
        throw err;
      }
      const fresh: Held = {
        parts: () => writer.unsafeParts(),
        retire: () => material.hasUnencryptedDataKey && material.zeroUnencryptedDataKey(),
        createdAt: opts.now(),
        messages: 0,
        bytes: 0,
      };
      const old = held.get(slot);
      held.set(slot, fresh);
      // Safe: every use of a Held is synchronous with the check that it fits (see the sealer's sealMany).
      retire(old);
      return fresh;
    })().finally(() => pending.delete(slot));
    pending.set(slot, p);
    return p;
  }

  return {
    /** The slot's materials if they can seal `length` more bytes. */
    fitting: (slot: string, length: number): Held | undefined => {
      const h = held.get(slot);
      return fits(h, length, opts.limits, opts.now()) ? h : undefined;
    },
    /** The slot's current materials (the fresh ones after a renewal). */
    current: (slot: string): Held | undefined => held.get(slot),
    renew,
    counters: () => ({ keyringCalls, materialsRequests }),
    async close(): Promise<void> {
      closed = true;
      await Promise.allSettled([...pending.values()]);
      for (const h of held.values()) retire(h);
      held.clear();
    },
  };
}

export type DepartmentMaterials = ReturnType<typeof createDepartmentMaterials>;
