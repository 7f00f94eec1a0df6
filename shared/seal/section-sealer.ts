import {
  CommitmentPolicy,
  KeyringNode,
  NodeDefaultCryptographicMaterialsManager,
  type NodeEncryptionMaterial,
  type NodeMaterialsManager,
} from '@aws-crypto/material-management-node';
import { sectionContext, type SectionPlaintext } from '../envelope/index.js';
import { SealpostError, isSealpostError } from '../errors/index.js';
import { CountingKeyring } from './counting-keyring.js';
import { SEAL_ERRORS } from './errors.js';
import { SEAL_SUITE, createMessageWriter, type MessageWriter } from './fast-message.js';
import { nativeSeal } from './native-seal.js';
import { checkLimits, type MaterialsHooks, type SectionSealerOptions } from './section-sealer-options.js';
import type { SealInput, SealerStats, SectionSealer } from './types.js';

/** Statistics with the sealer's extra counter. */
export interface SectionSealerStats extends SealerStats {
  /** Requests the sealer made to materials managers (renewals). */
  materialsRequests: number;
}

/** The SectionSealer seam, with the extra statistics this implementation keeps. */
export interface FastSectionSealer extends SectionSealer {
  stats(): SectionSealerStats;
}

interface Held {
  writer: MessageWriter;
  material: NodeEncryptionMaterial;
  createdAt: number;
  messages: number;
  bytes: number;
}

/**
 * The sealer the ingest forwarder uses: turns each SealInput into one standard AWS Encryption SDK
 * message (suite 0x0478, framed, unsigned) that the stock `decrypt()` of any ESDK opens with the
 * department's keyring, with encryption context `sectionContext(department, source, policyVersion)`
 * (plus whatever the CMM adds) and plaintext `JSON.stringify({ id, department, fields })`.
 *
 * Why not `encrypt()`: it costs ~200-300 µs per small message in stream plumbing; this path writes
 * the same bytes synchronously (shared/seal/fast-message.ts) at ~15-20 µs per section, on the main
 * thread. Materials are held per (department, source, policy version) and reused within `limits`.
 *
 * Contract (used by the ingest forwarder and the KMS keyrings; keep stable):
 *  - `sealMany(inputs)` resolves to one base64 message per input, in input order;
 *  - it rejects with a retriable SealpostError SP_SEAL_MATERIALS_UNAVAILABLE when a CMM/keyring
 *    fails (KMS away, throttled, denied: the operator may fix the key policy, then retries succeed),
 *    and with non-retriable SP_SEAL_UNSEALABLE_SECTION (details.index) for a section JSON cannot hold;
 *  - `close()` zeroes every held data key; later calls reject with SP_SEAL_CLOSED.
 */
export function createSectionSealer(options: SectionSealerOptions): FastSectionSealer {
  const limits = checkLimits(options.limits);
  const now = options.now ?? Date.now;
  const native = options.native === null ? undefined : (options.native ?? nativeSeal());
  const managers = new Map<string, { cmm: NodeMaterialsManager; counted: boolean }>();
  const held = new Map<string, Held>();
  const pending = new Map<string, Promise<Held>>();
  let closed = false;
  let sectionsSealed = 0;
  let keyringCalls = 0;
  let materialsRequests = 0;

  const closedError = (): SealpostError =>
    new SealpostError(SEAL_ERRORS.closed, 'the section sealer is closed; create a new one after restart');

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
      result = options.materialsFor(department, hooks);
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

  function fitting(key: string, length: number): Held | undefined {
    const h = held.get(key);
    if (!h || h.messages >= limits.maxMessages || now() - h.createdAt >= limits.maxAgeMs) return undefined;
    if (h.bytes + length > limits.maxBytes && h.messages > 0) return undefined;
    return h;
  }

  function renew(key: string, input: SealInput): Promise<Held> {
    const inFlight = pending.get(key);
    if (inFlight) return inFlight;
    const p = (async (): Promise<Held> => {
      const { cmm, counted } = managerFor(input.department);
      materialsRequests++;
      if (!counted) keyringCalls++;
      let material: NodeEncryptionMaterial;
      try {
        // No plaintextLength: these materials serve many messages (see SectionSealerOptions.materialsFor).
        material = await cmm.getEncryptionMaterials({
          suite: SEAL_SUITE,
          encryptionContext: sectionContext(input.department, input.source, input.policyVersion),
          commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        });
      } catch (err) {
        throw new SealpostError(
          SEAL_ERRORS.materialsUnavailable,
          `could not get encryption materials for department "${input.department}" (${(err as Error)?.name ?? 'Error'}: ` +
            `${(err as Error)?.message ?? String(err)}); the events stay in the journal and sealing is retried`,
          { cause: err, retriable: true, status: 503, details: { department: input.department } },
        );
      }
      if (closed) {
        material.zeroUnencryptedDataKey();
        throw closedError();
      }
      let writer: MessageWriter;
      try {
        writer = createMessageWriter(material, undefined, { native });
      } catch (err) {
        if (material.hasUnencryptedDataKey) material.zeroUnencryptedDataKey();
        throw err;
      }
      const fresh: Held = { writer, material, createdAt: now(), messages: 0, bytes: 0 };
      const old = held.get(key);
      held.set(key, fresh);
      // Safe: every use of a Held is synchronous with the check that it fits (see sealMany).
      if (old?.material.hasUnencryptedDataKey) old.material.zeroUnencryptedDataKey();
      return fresh;
    })().finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  }

  async function sealMany(inputs: readonly SealInput[]): Promise<string[]> {
    if (closed) throw closedError();
    const plaintexts = inputs.map((input, index) => {
      const section: SectionPlaintext = { id: input.id, department: input.department, fields: input.fields };
      try {
        return Buffer.from(JSON.stringify(section), 'utf8');
      } catch (err) {
        throw new SealpostError(SEAL_ERRORS.unsealableSection, `section ${index} (department "${input.department}") cannot be serialised to JSON`, {
          cause: err,
          details: { index, department: input.department },
        });
      }
    });
    const out = new Array<string>(inputs.length);
    // Sections are written per materials in one writeBatch (one native call per department and batch).
    // Every group is written before anything awaits, so no materials in a group can be retired first.
    const groups = new Map<Held, number[]>();
    const flush = (): void => {
      for (const [h, indexes] of groups) {
        const sealed = h.writer.writeBatch(indexes.map((i) => plaintexts[i]!));
        for (let k = 0; k < indexes.length; k++) out[indexes[k]!] = sealed[k]!;
        sectionsSealed += indexes.length;
      }
      groups.clear();
    };
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      const plaintext = plaintexts[i]!;
      const key = `${input.department}\u0000${input.source}\u0000${input.policyVersion}`;
      let h = fitting(key, plaintext.length);
      while (!h) {
        flush();
        const fresh = await renew(key, input);
        if (closed) throw closedError();
        h = fitting(key, plaintext.length) ?? (held.get(key) === fresh && fresh.messages === 0 ? fresh : undefined);
      }
      h.messages++;
      h.bytes += plaintext.length;
      let group = groups.get(h);
      if (!group) groups.set(h, (group = []));
      group.push(i);
    }
    flush();
    return out;
  }

  return {
    sealMany,
    stats: () => ({ sectionsSealed, keyringCalls, materialsRequests }),
    async close() {
      closed = true;
      await Promise.allSettled([...pending.values()]);
      for (const h of held.values()) if (h.material.hasUnencryptedDataKey) h.material.zeroUnencryptedDataKey();
      held.clear();
    },
  };
}
