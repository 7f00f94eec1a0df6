/**
 * npm run bench:seal [-- --departments N] — the sealing core against the SDK's own encrypt(), single thread.
 *
 * Both seal the same ~200-byte sections (JSON of a SectionPlaintext) under the same suite (0x0478),
 * the same encryption context and the same department keyring (local raw AES):
 *  - fast: createSectionSealer().sealMany() in batches (N departments per event, default 2, as the forwarder does),
 *    with the native core when it is built (what the service runs) and with the JavaScript writer (the fallback);
 *  - stock: buildClient(REQUIRE_ENCRYPT_REQUIRE_DECRYPT).encrypt() with a NodeCachingMaterialsManager
 *    (data keys cached, so no keyring call per message either), one message at a time.
 * A sample of the fast messages is opened with the stock decrypt() as a sanity check.
 * Wall-clock and CPU time are both reported: on a shared machine the CPU figure is the steadier one.
 * Last line: one JSON object.  Env: SEAL_BENCH_SECONDS (default 3 per side), SEAL_BENCH_BATCH (default 500).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { sectionContext } from '../../shared/envelope/index.js';
import { parseArgs } from 'node:util';
import { createSectionSealer, loadOrCreateLocalKey, localKeyring, nativeSeal, SEAL_SUITE_ID, type NativeSeal, type SealInput } from '../../shared/seal/index.js';
import { benchDepartments } from './bench-policy.js';

const { values: args } = parseArgs({ options: { departments: { type: 'string', default: '2' } } });
const seconds = Number(process.env.SEAL_BENCH_SECONDS ?? 3);
const batchSize = Number(process.env.SEAL_BENCH_BATCH ?? 500);
const departments = benchDepartments(Number(args.departments));

const dir = mkdtempSync(join(tmpdir(), 'sealpost-bench-seal-'));
const keyrings = new Map(departments.map((d) => [d, localKeyring(d, loadOrCreateLocalKey(dir, d))] as const));

function sectionFor(i: number, department: string): SealInput {
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
const sampleBytes = Buffer.byteLength(JSON.stringify({ id: sectionFor(1, 'support').id, department: 'support', fields: sectionFor(1, 'support').fields }));

/** CPU microseconds (user + system) since `since`: unlike wall time, not inflated by other processes on a shared machine. */
const cpuUs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

async function benchFast(native: NativeSeal | null): Promise<{ perS: number; us: number; cpuUs: number; sections: number; keyringCalls: number; messageBytes: number; sample: string[] }> {
  const sealer = createSectionSealer({ materialsFor: (d) => keyrings.get(d)!, native });
  const batch: SealInput[] = [];
  for (let i = 0; batch.length < batchSize; i++) for (const d of departments) batch.push(sectionFor(i, d));
  await sealer.sealMany(batch); // warm-up: materials, JIT
  let sections = 0;
  let messageBytes = 0;
  let sample: string[] = [];
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    const out = await sealer.sealMany(batch);
    sections += out.length;
    if (sample.length === 0) {
      sample = out.slice(0, 4);
      messageBytes = Buffer.from(out[0]!, 'base64').length;
    }
  }
  const ns = Number(process.hrtime.bigint() - start);
  const cpuPer = cpuUs(cpu) / sections;
  const { keyringCalls } = sealer.stats();
  await sealer.close();
  return { perS: (sections / ns) * 1e9, us: ns / 1000 / sections, cpuUs: cpuPer, sections, keyringCalls, messageBytes, sample };
}

async function benchStock(): Promise<{ perS: number; us: number; cpuUs: number; sections: number }> {
  const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const cache = getLocalCryptographicMaterialsCache(100);
  const cmms = new Map(
    departments.map((d) => [d, new NodeCachingMaterialsManager({ backingMaterials: keyrings.get(d)!, cache, maxAge: 60_000, maxMessagesEncrypted: 100_000 })]),
  );
  const one = async (i: number, d: string): Promise<void> => {
    const s = sectionFor(i, d);
    await encrypt(cmms.get(d)!, JSON.stringify({ id: s.id, department: d, fields: s.fields }), {
      suiteId: SEAL_SUITE_ID,
      encryptionContext: sectionContext(d, s.source, s.policyVersion),
    });
  };
  for (let i = 0; i < 200; i++) await one(i, departments[i % departments.length]!); // warm-up
  let sections = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let k = 0; k < 50; k++) await one(sections + k, departments[k % departments.length]!);
    sections += 50;
  }
  const ns = Number(process.hrtime.bigint() - start);
  return { perS: (sections / ns) * 1e9, us: ns / 1000 / sections, cpuUs: cpuUs(cpu) / sections, sections };
}

try {
  const native = nativeSeal() ?? null;
  const js = await benchFast(null);
  const fast = native ? await benchFast(native) : js;
  const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  for (const run of [fast, js]) {
    for (const [i, m] of run.sample.entries()) {
      const d = departments[i % departments.length]!;
      const { messageHeader } = await decrypt(keyrings.get(d)!, Buffer.from(m, 'base64'));
      if (messageHeader.encryptionContext['sealpost:department'] !== d) throw new Error('sanity: wrong context');
    }
  }
  const stock = await benchStock();
  const line = (name: string, r: { perS: number; us: number; cpuUs: number; sections: number }, extra = ''): void =>
    console.log(`${name.padEnd(27)} ${r.perS.toFixed(0).padStart(8)} sections/s  ${r.us.toFixed(1).padStart(7)} µs/section  ${r.cpuUs.toFixed(1).padStart(7)} CPU µs/section  (${r.sections} sections${extra})`);
  console.log(`section plaintext ${sampleBytes} B, message ${fast.messageBytes} B, batch ${batchSize}, ${departments.length} departments, ${seconds}s per side, node ${process.version}`);
  line(`fast (sealMany, ${native ? 'native' : 'javascript'}):`, fast, `, ${fast.keyringCalls} keyring calls`);
  if (native) line('fast (sealMany, javascript):', js);
  line('stock (encrypt + caching):', stock);
  console.log(
    JSON.stringify({
      departments: departments.length,
      seal_path: native ? 'native' : 'javascript',
      seal_us_per_section: Number(fast.cpuUs.toFixed(2)),
      js_cpu_us_per_section: Number(js.cpuUs.toFixed(2)),
      fast_sections_per_s: Math.round(fast.perS),
      fast_us_per_section: Number(fast.us.toFixed(2)),
      fast_cpu_us_per_section: Number(fast.cpuUs.toFixed(2)),
      stock_sections_per_s: Math.round(stock.perS),
      stock_us_per_section: Number(stock.us.toFixed(2)),
      stock_cpu_us_per_section: Number(stock.cpuUs.toFixed(2)),
      speedup: Number((fast.perS / stock.perS).toFixed(1)),
      cpu_speedup: Number((stock.cpuUs / fast.cpuUs).toFixed(1)),
      section_plaintext_bytes: sampleBytes,
      message_bytes: fast.messageBytes,
      fast_keyring_calls: fast.keyringCalls,
      batch: batchSize,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
