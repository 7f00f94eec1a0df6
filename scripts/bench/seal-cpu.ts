import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSectionSealer, loadOrCreateLocalKey, localKeyring, nativeSeal, type NativeSeal, type SealInput } from '../../shared/seal/index.js';
import { benchDepartments } from './bench-policy.js';

/** One ~220-byte section of event i for a department, as the forwarder's split makes them. */
export function benchSection(i: number, department: string): SealInput {
  return {
    id: `sg-${i.toString(16).padStart(12, '0')}-bench`,
    department,
    source: 'sendgrid-main',
    policyVersion: 1,
    fields: {
      email: `user${i % 9973}@example.com`,
      ip: `203.0.113.${i % 250}`,
      useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36',
      url: `https://example.com/l/${i % 1000}`,
    },
  };
}

/**
 * CPU microseconds (user + system, so other processes on a shared machine do not inflate it) per
 * section sealed by sealMany in batches of `batch` events x N departments, on local keys; the native
 * core when built unless `native` is null. Shared by bench:seal and bench:ingest.
 */
export async function sealCpuPerSection(
  departments: number,
  seconds: number,
  opts: { native?: NativeSeal | null; batch?: number } = {},
): Promise<{ cpuUsPerSection: number; wallUsPerSection: number; sections: number; keyringCalls: number; path: string; sample: string[]; keys: Map<string, Buffer> }> {
  const names = benchDepartments(departments);
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-seal-cpu-'));
  try {
    const keys = new Map(names.map((d) => [d, loadOrCreateLocalKey(dir, d)] as const));
    const native = opts.native === undefined ? (nativeSeal() ?? null) : opts.native;
    const sealer = createSectionSealer({ materialsFor: (d) => localKeyring(d, keys.get(d)!), native });
    const batch: SealInput[] = [];
    for (let i = 0; batch.length < (opts.batch ?? 250) * names.length; i++) for (const d of names) batch.push(benchSection(i, d));
    const sample = (await sealer.sealMany(batch)).slice(0, names.length); // warm-up: materials, JIT
    let sections = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(seconds * 1e9));
    while (process.hrtime.bigint() < deadline) sections += (await sealer.sealMany(batch)).length;
    const ns = Number(process.hrtime.bigint() - start);
    const used = process.cpuUsage(cpu);
    const { keyringCalls } = sealer.stats();
    await sealer.close();
    return {
      cpuUsPerSection: Number(((used.user + used.system) / sections).toFixed(2)),
      wallUsPerSection: Number((ns / 1000 / sections).toFixed(2)),
      sections,
      keyringCalls,
      path: native ? 'native' : 'javascript',
      sample,
      keys,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
