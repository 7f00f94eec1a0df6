import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * FOR TESTS AND BENCHMARKS ONLY: builds the same renderer with the HTTP adapter in front of it
 * (renderer/bridge/), into out/renderer-bridge/. Returns the folder to serve.
 */
export async function buildBridgeRenderer(): Promise<string> {
  const outDir = join(ROOT, 'out', 'renderer-bridge');
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
