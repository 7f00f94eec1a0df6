#!/usr/bin/env node
// npm run bench:startup [-- --runs 5 --port 40320]
// Start-up time and memory of the three ways to run the service: `npm start` (tsx, from the TypeScript sources),
// `npm run start:prod` (the build, plain node, under npm) and `node dist/…/main.js` (what the systemd unit runs).
// Each way restarts on its own data dir (keys already created) with the shared broker configured, so the journal
// writer and sealing threads start too. ready_ms: spawn → /readyz answers 200. rss_mb: resident memory of the
// whole process tree (npm, sh, tsx, node) 1 s after ready; service_rss_mb: the largest single process (the service).
// Runs alternate between the ways; medians are printed, and the median of the per-round ratios to plain node. Needs `npm run build` first. Last line: one JSON object.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { embeddedDefaultConfig } from '../../ingest-service/src/config/embedded-default.js';
import { ensureShared } from '../kafka/broker.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, port: { type: 'string', default: '40320' } } });
const RUNS = Number(args.runs);
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
try {
  for (const s of setups) await runOnce(s.way, s.file, url); // warm-up: creates keys, page cache
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
} finally {
  for (const s of setups) rmSync(s.dataDir, { recursive: true, force: true });
}
const out: Record<string, number> = { runs: RUNS };
for (const [way, r] of Object.entries(results)) {
  out[`${way}_ready_ms`] = Math.round(median(r.readyMs));
  out[`${way}_rss_mb`] = round(median(r.rssMb));
  out[`${way}_service_rss_mb`] = round(median(r.serviceRssMb));
}
// Pairs from the same round (the machine's speed drifts between rounds): median of tsx/node and prod/node.
for (const way of ['tsx', 'prod']) {
  const ratios = results[way]!.readyMs.map((ms, i) => ms / results.node!.readyMs[i]!);
  out[`${way}_vs_node_ready_ratio`] = Math.round(median(ratios) * 100) / 100;
}
console.log(JSON.stringify(out));
