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
import { nativeSeal, type NativeSeal } from './native-seal.js';
import type { SealInput, SealerStats, SectionSealer } from './types.js';

/**
 * How long one set of encryption materials (one data key; one KMS GenerateDataKey for KMS keys) is
 * used before the sealer asks the materials manager for new ones. Every message still gets its own
 * derived key and commitment (HKDF over a fresh 32-byte message id), as with the SDK's caching CMM;
 * these limits bound how much one data key protects, and how stale a key-policy change can be.
 */
export interface MaterialsLimits {
  /** Messages per materials. Default 100,000 (at 10,000 sections/s per department: one renewal per 10 s). */
  maxMessages: number;
  /** Age of materials in milliseconds. Default 60,000. */
  maxAgeMs: number;
  /** Plaintext bytes per materials. Default 1 GiB. A single larger section still gets fresh materials of its own. */
  maxBytes: number;
}

/** The defaults, chosen so a KMS department costs well under one KMS call per second at full load. */
export const DEFAULT_MATERIALS_LIMITS: Readonly<MaterialsLimits> = Object.freeze({
  maxMessages: 100_000,
  maxAgeMs: 60_000,
  maxBytes: 1024 * 1024 * 1024,
});

/** Given to `materialsFor` so the keyring calls it causes can be counted honestly. */
export interface MaterialsHooks {
  /**
   * Wrap the department's keyring with this before building the CMM around it; then
   * `stats().keyringCalls` counts exactly the calls that reach the keyring (KMS calls).
   */
  countKeyring(keyring: KeyringNode): KeyringNode;
}

/** What `createSectionSealer` needs. */
export interface SectionSealerOptions {
  /**
   * The materials manager (CMM) of a department, e.g. `new NodeDefaultCryptographicMaterialsManager(
   * hooks.countKeyring(keyring))` around a raw AES keyring (local keys) or a KMS keyring. A bare
   * KeyringNode is accepted too and wrapped in the default CMM (counted). Called once per department,
   * on first use; the result is kept for the sealer's life. Throwing a SealpostError passes it through
   * (e.g. an unknown department); any other throw becomes SP_SEAL_NO_MATERIALS_MANAGER.
   *
   * The sealer itself is the data-key cache on this path (see `limits`): it asks the CMM for
   * materials only when the ones it holds are spent, and never states a plaintext length, so a
   * NodeCachingMaterialsManager here passes every request to its keyring (its cache only serves
   * requests that state a length: cache-material caching_cryptographic_materials_decorators.js).
   * If `countKeyring` is not used for a department, each materials request is counted as a keyring
   * call (an upper bound).
   */
  materialsFor(department: string, hooks: MaterialsHooks): NodeMaterialsManager | KeyringNode;
  /** Per-materials limits; unspecified ones take DEFAULT_MATERIALS_LIMITS. */
  limits?: Partial<MaterialsLimits>;
  /** Clock in milliseconds (tests pass a fake one to age materials). */
  now?: () => number;
  /** The native sealing core (default: the built one, if any); null writes in JavaScript (tests prove both). */
  native?: NativeSeal | null;
}

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

function checkLimits(partial: Partial<MaterialsLimits> | undefined): MaterialsLimits {
  const limits = { ...DEFAULT_MATERIALS_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new SealpostError(SEAL_ERRORS.badLimits, `limits.${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
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
