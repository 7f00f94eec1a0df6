import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The native core (native/seal/seal.c seals, open.c opens); see there for the arguments. */
export interface NativeSeal {
  sealBatch(
    template: Buffer,
    idOffset: number,
    commitOffset: number,
    dataKey: Buffer,
    frameLength: number,
    plaintexts: Buffer,
    lengths: Uint32Array,
    messageIds: Buffer,
  ): Buffer;
  /** sealBatch for several materials at once (native/seal/seal.c sealGroups): `group[i]` picks message i's materials. */
  sealGroups(
    templates: Buffer,
    layout: Uint32Array,
    dataKeys: Buffer,
    frameLength: number,
    plaintexts: Buffer,
    lengths: Uint32Array,
    group: Uint32Array,
    messageIds: Buffer,
  ): Buffer;
  /**
   * Opens one V2/0x0478 framed message with its data key (native/seal/open.c): the plaintext, or throws. The
   * header's length, content type and frame length are read from the message itself.
   */
  openMessage(message: Buffer, dataKey: Buffer): Buffer;
  /**
   * Unwraps the data key at `wrappedOffset` (key 32 || tag 16, IV at `ivOffset`, AAD `aad`) with `wrappingKey` as the
   * SDK's raw AES keyring does, then opens `message` with it as openMessage does (native/seal/open-wrapped.c). The
   * data key never leaves the call.
   */
  openWrappedMessage(message: Buffer, wrappingKey: Buffer, ivOffset: number, wrappedOffset: number, aad: Uint8Array): Buffer;
  /** Blind indexes of normalised values back to back (native/seal/blind-index.c): 22 base64url characters each. */
  blindIndexes(key: Buffer, values: Buffer, lengths: Uint32Array): Buffer;
  /**
   * Wraps `plaintext` (a data key) under `wrappingKey` as the SDK's raw AES keyring does (AES-256-GCM, `iv`, `aad`),
   * writing ciphertext || 16-byte tag into `out` at `outOffset` (native/seal/wrap-key.c).
   */
  wrapKey(wrappingKey: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer, out: Buffer, outOffset: number): void;
}

// Beside the sources (shared/seal/ -> native/seal/...), and in a build (npm run build copies it to dist/native/seal/...).
const MODULE = '../../native/seal/build/Release/sealpost_seal.node';

let loaded: { native: NativeSeal | undefined; reason: string } | undefined;

/**
 * The native sealing core when it was built (`npm run build:native`, also run by postinstall), else
 * undefined and the JavaScript writer is used: both write the same bytes, proved against the SDK's
 * own encrypt and decrypt in test/shared/seal/. SEALPOST_DEV_SEAL_NATIVE=0 forces JavaScript (for comparisons).
 */
export function nativeSeal(): NativeSeal | undefined {
  return (loaded ??= load()).native;
}

/** Why the native core is or is not used (for the start log and the benchmark). */
export function nativeSealStatus(): string {
  return (loaded ??= load()).reason;
}

function load(): { native: NativeSeal | undefined; reason: string } {
  if (process.env.SEALPOST_DEV_SEAL_NATIVE === '0') return { native: undefined, reason: 'javascript (SEALPOST_DEV_SEAL_NATIVE=0)' };
  // The console opens sections too (shared/decrypt/fast-open.ts): Electron links BoringSSL, not the OpenSSL the core
  // calls into, and addons bind lazily, so loading would succeed and the first call would kill the process.
  if (process.versions.electron) return { native: undefined, reason: 'javascript (Electron has no OpenSSL for the native core)' };
  const require = createRequire(import.meta.url);
  const path = fileURLToPath(new URL(MODULE, import.meta.url));
  if (!existsSync(path)) return { native: undefined, reason: 'javascript (native core not built: npm run build:native)' };
  try {
    return { native: require(path) as NativeSeal, reason: 'native' };
  } catch (err) {
    return { native: undefined, reason: `javascript (native core failed to load: ${(err as Error).message.split('\n')[0]})` };
  }
}
