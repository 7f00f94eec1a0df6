import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const BASE = join(ROOT, 'out', 'renderer-bridge');
const STALE_MS = 60 * 60 * 1000;

/** Removes builds of earlier runs (older than an hour), so out/ does not grow without end. */
function pruneOldBuilds(): void {
  let names: string[] = [];
  try {
    names = readdirSync(BASE);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(BASE, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > STALE_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      /* another run removed it */
    }
  }
}

/**
 * FOR TESTS AND BENCHMARKS ONLY: builds the same renderer with the HTTP adapter in front of it
 * (renderer/bridge/) into a folder of its own under out/renderer-bridge/ — test files run in
 * parallel, and two builds must never empty each other's folder. Returns the folder to serve.
 */
export async function buildBridgeRenderer(): Promise<string> {
  pruneOldBuilds();
  const outDir = join(BASE, `run-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(outDir, { recursive: true });
  await build({
    configFile: false,
    logLevel: 'warn',
    root: join(ROOT, 'renderer', 'bridge'),
    base: './',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      reportCompressedSize: false,
      rolldownOptions: { input: { index: join(ROOT, 'renderer', 'bridge', 'index.html') } },
    },
  });
  return outDir;
}
