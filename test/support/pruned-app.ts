// The compiled service laid out as a server gets it after `npm run build && npm prune --omit=dev`, without
// pruning the checkout's shared node_modules: a temp folder with the build, package.json, and a node_modules
// holding only the packages package-lock.json does not mark dev-only (links to the installed ones). Node must
// run it with PRUNED_NODE_ARGS: by default a linked package's own imports resolve from its real path, the
// checkout's full node_modules, so a runtime package needing a dev package would go unnoticed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Node flags for anything run from the pruned app: resolve imports from the links' paths, not their targets,
 * so every package only sees the production packages beside it (workers inherit the flags).
 */
export const PRUNED_NODE_ARGS = ['--preserve-symlinks', '--preserve-symlinks-main'] as const;

/** Top-level installed packages a production install keeps (lockfile entries without `dev: true`). */
export function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !p.dev)
    .map(([path]) => path.slice('node_modules/'.length))
    .filter((name) => existsSync(join(ROOT, 'node_modules', name)));
}

/** Runs the real `npm run build` script into `<dir>/dist` and lays out the pruned app around it; returns `dir`. */
export function buildPrunedApp(): { dir: string; main: string; buildOutput: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-prod-'));
  const res = spawnSync(process.execPath, [join(ROOT, 'scripts/build/build.mjs'), '--out', join(dir, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`build failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, f), join(dir, f));
  for (const name of productionPackages()) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
  return { dir, main: join(dir, 'dist/ingest-service/src/main.js'), buildOutput: res.stdout };
}
