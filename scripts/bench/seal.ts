/**
 * npm run bench:seal [-- --departments N] — the sealing core against the SDK's own encrypt(), single thread.
 *
 * Both seal the same ~220-byte sections (JSON of a SectionPlaintext) under the same suite (0x0478),
 * the same encryption context and the same department keyring (local raw AES):
 *  - fast: createSectionSealer().sealMany() in batches (N departments per event, default 2, as the forwarder does),
 *    with the native core when it is built (what the service runs) and with the JavaScript writer (the fallback);
 *  - stock: buildClient(REQUIRE_ENCRYPT_REQUIRE_DECRYPT).encrypt() with a NodeCachingMaterialsManager
 *    (data keys cached, so no keyring call per message either), one message at a time.
 * A sample of the fast messages is opened with the stock decrypt() as a sanity check.
 * Wall-clock and CPU time are both reported: on a shared machine the CPU figure is the steadier one.
 * Last line: one JSON object.  Env: SEAL_BENCH_SECONDS (default 3 per side), SEAL_BENCH_BATCH (default 250 events).
 */
import { parseArgs } from 'node:util';
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { sectionContext } from '../../shared/envelope/index.js';
import { localKeyring, nativeSeal, SEAL_SUITE_ID } from '../../shared/seal/index.js';
import { benchDepartments } from './bench-policy.js';
import { benchSection, sealCpuPerSection } from './seal-cpu.js';

const { values: args } = parseArgs({ options: { departments: { type: 'string', default: '2' } } });
const seconds = Number(process.env.SEAL_BENCH_SECONDS ?? 3);
const batch = Number(process.env.SEAL_BENCH_BATCH ?? 250);
const departments = benchDepartments(Number(args.departments));
const sample = benchSection(1, 'support');
const sampleBytes = Buffer.byteLength(JSON.stringify({ id: sample.id, department: 'support', fields: sample.fields }));

async function benchStock(keys: Map<string, Buffer>): Promise<{ perS: number; us: number; cpuUs: number; sections: number }> {
  const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const cache = getLocalCryptographicMaterialsCache(100);
  const cmms = new Map(
    departments.map((d) => [d, new NodeCachingMaterialsManager({ backingMaterials: localKeyring(d, keys.get(d)!), cache, maxAge: 60_000, maxMessagesEncrypted: 100_000 })]),
  );
  const one = async (i: number, d: string): Promise<void> => {
    const s = benchSection(i, d);
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
  const used = process.cpuUsage(cpu);
  return { perS: (sections / ns) * 1e9, us: ns / 1000 / sections, cpuUs: (used.user + used.system) / sections, sections };
}

const native = nativeSeal() ?? null;
const js = await sealCpuPerSection(departments.length, seconds, { native: null, batch });
const fast = native ? await sealCpuPerSection(departments.length, seconds, { native, batch }) : js;
const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
for (const run of [fast, js]) {
  for (const [i, m] of run.sample.entries()) {
    const d = departments[i % departments.length]!;
    const { messageHeader } = await decrypt(localKeyring(d, run.keys.get(d)!), Buffer.from(m, 'base64'));
    if (messageHeader.encryptionContext['sealpost:department'] !== d) throw new Error('sanity: wrong context');
  }
}
const stock = await benchStock(fast.keys);
const messageBytes = Buffer.from(fast.sample[0]!, 'base64').length;
const perS = (wallUs: number): number => 1e6 / wallUs;
const line = (name: string, r: { wallUsPerSection: number; cpuUsPerSection: number; sections: number }, extra = ''): void =>
  console.log(`${name.padEnd(27)} ${perS(r.wallUsPerSection).toFixed(0).padStart(8)} sections/s  ${r.wallUsPerSection.toFixed(1).padStart(7)} µs/section  ${r.cpuUsPerSection.toFixed(1).padStart(7)} CPU µs/section  (${r.sections} sections${extra})`);
console.log(`section plaintext ${sampleBytes} B, message ${messageBytes} B, batch ${batch} events, ${departments.length} departments, ${seconds}s per side, node ${process.version}`);
line(`fast (sealMany, ${fast.path}):`, fast, `, ${fast.keyringCalls} keyring calls`);
if (native) line('fast (sealMany, javascript):', js);
line('stock (encrypt + caching):', { wallUsPerSection: stock.us, cpuUsPerSection: stock.cpuUs, sections: stock.sections });
console.log(
  JSON.stringify({
    departments: departments.length,
    seal_path: fast.path,
    seal_us_per_section: fast.cpuUsPerSection,
    js_cpu_us_per_section: js.cpuUsPerSection,
    fast_sections_per_s: Math.round(perS(fast.wallUsPerSection)),
    fast_us_per_section: fast.wallUsPerSection,
    fast_cpu_us_per_section: fast.cpuUsPerSection,
    stock_sections_per_s: Math.round(stock.perS),
    stock_us_per_section: Number(stock.us.toFixed(2)),
    stock_cpu_us_per_section: Number(stock.cpuUs.toFixed(2)),
    speedup: Number((stock.us / fast.wallUsPerSection).toFixed(1)),
    cpu_speedup: Number((stock.cpuUs / fast.cpuUsPerSection).toFixed(1)),
    section_plaintext_bytes: sampleBytes,
    message_bytes: messageBytes,
    fast_keyring_calls: fast.keyringCalls,
    batch,
  }),
);
