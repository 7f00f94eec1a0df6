import { nextMessageIds } from './message-id.js';
import type { NativeSeal } from './native-seal.js';
import { messageSize, writeParts, type SealParts } from './write-message.js';

/**
 * Writes each group's plaintexts under its materials: base64 messages, group by group, in order.
 * With the native core and more than one group, every message of every group is written in one call and
 * one cipher context (sealGroups): a batch under many subject keys seals a few sections per key, and a
 * call per key cost about as much as the sealing itself. Otherwise, writeParts per group.
 */
export function writeGroups(groups: readonly { parts: SealParts; plaintexts: readonly Buffer[] }[], native: NativeSeal | undefined): string[][] {
  const parts = groups.map((g) => g.parts);
  const frameLength = parts[0]?.frameLength;
  if (!native || groups.length < 2 || parts.some((p) => p.frameLength !== frameLength)) return groups.map((g) => writeParts(g.parts, g.plaintexts, native));
  let count = 0;
  for (const g of groups) count += g.plaintexts.length;
  const layout = new Uint32Array(parts.length * 4);
  const lengths = new Uint32Array(count);
  const group = new Uint32Array(count);
  const all: Buffer[] = new Array(count);
  let offset = 0;
  let k = 0;
  parts.forEach((p, m) => {
    layout.set([offset, p.template.length, p.idOffset, p.commitOffset], m * 4);
    offset += p.template.length;
    for (const pt of groups[m]!.plaintexts) {
      lengths[k] = pt.length;
      group[k] = m;
      all[k++] = pt;
    }
  });
  const dataKeys = Buffer.concat(parts.map((p) => p.dataKey));
  let out: Buffer;
  try {
    out = native.sealGroups(Buffer.concat(parts.map((p) => p.template)), layout, dataKeys, frameLength!, Buffer.concat(all), lengths, group, nextMessageIds(count));
  } finally {
    dataKeys.fill(0);
  }
  let pos = 0;
  k = 0;
  const sealed = parts.map((p, m) =>
    groups[m]!.plaintexts.map(() => {
      const end = pos + messageSize(p, lengths[k++]!);
      const b64 = out.toString('base64', pos, end);
      pos = end;
      return b64;
    }),
  );
  if (pos !== out.length) throw new Error('write-groups: native batch length mismatch');
  return sealed;
}
