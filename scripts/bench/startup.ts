#!/usr/bin/env node
// npm run bench:startup [-- --runs 5 --port 40320 --check-runs 10]
// Start-up time and memory of the three ways to run the service: `npm start` (tsx, from the TypeScript sources),
// `npm run start:prod` (the build, plain node, under npm) and `node dist/…/main.js` (what the systemd unit runs).
// Each way restarts on its own data dir (keys already created) with the shared broker configured, so the journal
// writer and sealing threads start too. ready_ms: spawn → /readyz answers 200. rss_mb: resident memory of the
// whole process tree (npm, sh, tsx, node) 1 s after ready; service_rss_mb: the largest single process (the service).
// Runs alternate between the ways; medians are printed, and the median of the per-round ratios to plain node.
// Then loading the service and checking its config (`--check`, which exits): CPU (user + system) and peak RSS of
// `node dist/…/main.js` vs `tsx ingest-service/src/main.ts`, whole process tree, through getrusage(RUSAGE_CHILDREN)
// (python3, which the CI machine has for moto). Needs `npm run build` first. Last line: one JSON object.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { embeddedDefaultConfig } from '../../ingest-service/src/config/embedded-default.js';
import { ensureShared } from '../kafka/broker.mjs';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, port: { type: 'string', default: '40320' }, 'check-runs': { type: 'string', default: '10' } },
});
const RUNS = Number(args.runs);
const CHECK_RUNS = Number(args['check-runs']);
const PORT = Number(args.port);
const MAIN = 'dist/ingest-service/src/main.js';
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);

const WAYS: Record<string, string[]> = {
  tsx: ['npm', 'start', '--'],
  prod: ['npm', 'run', 'start:prod', '--'],
  node: [process.execPath, MAIN],
};

/** Resident memory (kB) of pid and every descendant, and of the largest single one. */
function treeRss(root: number): { total: number; largest: number } {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const inTree = (pid: number): boolean => pid === root || (parent.has(pid) && pid !== 1 && inTree(parent.get(pid)!));
  let total = 0;
  let largest = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    total += kb;
    largest = Math.max(largest, kb);
  }
  return { total, largest };
}

async function runOnce(way: string, configFile: string, url: string): Promise<{ readyMs: number; rssMb: number; serviceRssMb: number }> {
  const [cmd, ...rest] = WAYS[way]!;
  const t0 = performance.now();
  const child = spawn(cmd!, [...rest, '--config', configFile], { detached: true, stdio: 'ignore' });
  let readyMs = 0;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${way} exited ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) {
      readyMs = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const rss = treeRss(child.pid!);
  process.kill(-child.pid!, 'SIGTERM');
  await once(child, 'exit');
  await new Promise((r) => setTimeout(r, 300)); // the port is free again
  return { readyMs, rssMb: rss.total / 1024, serviceRssMb: rss.largest / 1024 };
}

/** The `--check` ways: the process itself, no npm, so the figures are the service's loading alone. */
const CHECK_WAYS: Record<string, string[]> = {
  tsx: ['node_modules/.bin/tsx', 'ingest-service/src/main.ts'],
  node: [process.execPath, MAIN],
};
/** Runs argv to its end; CPU seconds (user + system) and peak RSS of it and every descendant it waited for. */
const RUSAGE = `import json, resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "cpu_s": u.ru_utime + u.ru_stime, "peak_kb": u.ru_maxrss}))`;

async function checkOnce(way: string, configFile: string): Promise<{ cpuS: number; peakMb: number }> {
  const child = spawn('python3', ['-c', RUSAGE, ...CHECK_WAYS[way]!, '--config', configFile, '--check'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await once(child, 'exit');
  const r = JSON.parse(out) as { rc: number; cpu_s: number; peak_kb: number };
  if (r.rc !== 0) throw new Error(`${way} --check exited ${r.rc}`);
  return { cpuS: r.cpu_s, peakMb: r.peak_kb / 1024 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number): number => Math.round(x * 10) / 10;

const { brokers } = await ensureShared();
const setups = Object.keys(WAYS).map((way) => {
  const dataDir = mkdtempSync(join(tmpdir(), `sealpost-startup-${way}-`));
  const config = embeddedDefaultConfig(dataDir);
  const file = join(dataDir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...config, listen: { host: '127.0.0.1', port: PORT }, admin: { listen: { host: '127.0.0.1', port: PORT + 1 } }, kafka: { brokers }, log: { level: 'warn' } }));
  return { way, dataDir, file };
});
const url = `http://127.0.0.1:${PORT}`;
const results: Record<string, { readyMs: number[]; rssMb: number[]; serviceRssMb: number[] }> = {};
const checks: Record<string, { cpuS: number[]; peakMb: number[] }> = {};
try {
  if (RUNS > 0) for (const s of setups) await runOnce(s.way, s.file, url); // warm-up: creates keys, page cache
  for (let i = 0; i < RUNS; i++) {
    for (const s of setups) {
      const r = await runOnce(s.way, s.file, url);
      const acc = (results[s.way] ??= { readyMs: [], rssMb: [], serviceRssMb: [] });
      acc.readyMs.push(r.readyMs);
      acc.rssMb.push(r.rssMb);
      acc.serviceRssMb.push(r.serviceRssMb);
      console.error(`${s.way.padEnd(5)} run ${i + 1}: ready ${Math.round(r.readyMs)} ms, tree ${round(r.rssMb)} MB, service ${round(r.serviceRssMb)} MB`);
    }
  }
  for (const way of Object.keys(CHECK_WAYS)) await checkOnce(way, setups[0]!.file); // warm-up: page cache
  for (let i = 0; i < CHECK_RUNS; i++) {
    for (const way of Object.keys(CHECK_WAYS)) {
      const r = await checkOnce(way, setups[0]!.file);
      const acc = (checks[way] ??= { cpuS: [], peakMb: [] });
      acc.cpuS.push(r.cpuS);
      acc.peakMb.push(r.peakMb);
      console.error(`${way.padEnd(5)} --check ${i + 1}: cpu ${r.cpuS.toFixed(2)} s, peak ${round(r.peakMb)} MiB`);
    }
  }
} finally {
  for (const s of setups) rmSync(s.dataDir, { recursive: true, force: true });
}
const out: Record<string, number> = { runs: RUNS };
for (const [way, r] of Object.entries(results)) {
  out[`${way}_ready_ms`] = Math.round(median(r.readyMs));
  out[`${way}_rss_mb`] = round(median(r.rssMb));
  out[`${way}_service_rss_mb`] = round(median(r.serviceRssMb));
}
out.check_runs = CHECK_RUNS;
for (const [way, r] of Object.entries(checks)) {
  out[`${way}_check_cpu_s`] = Math.round(median(r.cpuS) * 100) / 100;
  out[`${way}_check_peak_mib`] = round(median(r.peakMb));
}
// Pairs from the same round (the machine's speed drifts between rounds): median of tsx/node and prod/node.
for (const way of RUNS > 0 ? ['tsx', 'prod'] : []) {
  const ratios = results[way]!.readyMs.map((ms, i) => ms / results.node!.readyMs[i]!);
  out[`${way}_vs_node_ready_ratio`] = Math.round(median(ratios) * 100) / 100;
}
console.log(JSON.stringify(out));
