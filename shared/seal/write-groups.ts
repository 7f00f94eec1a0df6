import { nextMessageIds } from './message-id.js';
import type { NativeSeal } from './native-seal.js';
import { messageSize, writeParts, type SealParts } from './write-message.js';

/** A batch's plaintexts back to back: message k is bytes[offsets[k], offsets[k + 1]). */
export interface PackedPlaintexts {
  bytes: Buffer;
  offsets: Uint32Array;
}

/**
 * Packs `count` plaintexts (`textOf(k)` in UTF-8) into one buffer, so the native core reads them where
 * they are: no Buffer per section and no concatenation before the call. `bytes` holds clear fields: the
 * caller zeroes it once sealed.
 */
export function packPlaintexts(count: number, textOf: (k: number) => string): PackedPlaintexts {
  const offsets = new Uint32Array(count + 1);
  let bytes = Buffer.allocUnsafeSlow(Math.max(1024, count * 512));
  let at = 0;
  for (let k = 0; k < count; k++) {
    const text = textOf(k);
    const worst = text.length * 3;
    if (at + worst > bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(bytes.length * 2, at + worst));
      bytes.copy(grown, 0, 0, at);
      bytes.fill(0, 0, at);
      bytes = grown;
    }
    at += bytes.write(text, at, 'utf8');
    offsets[k + 1] = at;
  }
  return { bytes, offsets };
}

/**
 * Writes messages [from, to) of a packed batch, message k under `parts[k]`'s materials, base64 into
 * `out[k]`. With the native core, the whole range is one call and one cipher context (sealBatch for one
 * set of materials, sealGroups, which takes each message's materials by index, for several): a batch under many subject keys seals a few sections per key,
 * and a call per key cost about as much as the sealing itself. Otherwise (or with mixed frame lengths),
 * message by message.
 */
export function writeRange(parts: readonly SealParts[], pts: PackedPlaintexts, from: number, to: number, native: NativeSeal | undefined, out: string[]): void {
  if (to <= from) return;
  const { bytes, offsets } = pts;
  const distinct: SealParts[] = [];
  const indexOf = new Map<SealParts, number>();
  const group = new Uint32Array(to - from);
  for (let k = from; k < to; k++) {
    const p = parts[k]!;
    let m = indexOf.get(p);
    if (m === undefined) {
      m = distinct.length;
      indexOf.set(p, m);
      distinct.push(p);
    }
    group[k - from] = m;
  }
  const frameLength = distinct[0]!.frameLength;
  if (!native || distinct.some((p) => p.frameLength !== frameLength)) {
    for (let k = from; k < to; k++) out[k] = writeParts(parts[k]!, [bytes.subarray(offsets[k], offsets[k + 1])], native)[0]!;
    return;
  }
  const lengths = new Uint32Array(to - from);
  for (let k = from; k < to; k++) lengths[k - from] = offsets[k + 1]! - offsets[k]!;
  const range = bytes.subarray(offsets[from], offsets[to]);
  const ids = nextMessageIds(to - from);
  let sealed: Buffer;
  if (distinct.length === 1) {
    const p = distinct[0]!;
    sealed = native.sealBatch(p.template, p.idOffset, p.commitOffset, p.dataKey, frameLength, range, lengths, ids);
  } else {
    const layout = new Uint32Array(distinct.length * 4);
    let offset = 0;
    distinct.forEach((p, m) => {
      layout.set([offset, p.template.length, p.idOffset, p.commitOffset], m * 4);
      offset += p.template.length;
    });
    const dataKeys = Buffer.concat(distinct.map((p) => p.dataKey));
    try {
      sealed = native.sealGroups(Buffer.concat(distinct.map((p) => p.template)), layout, dataKeys, frameLength, range, lengths, group, ids);
    } finally {
      dataKeys.fill(0);
    }
  }
  let pos = 0;
  for (let k = from; k < to; k++) {
    const end = pos + messageSize(distinct[group[k - from]!]!, lengths[k - from]!);
    out[k] = sealed.toString('base64', pos, end);
    pos = end;
  }
  if (pos !== sealed.length) throw new Error('write-groups: native batch length mismatch');
}
