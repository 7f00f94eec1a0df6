#!/usr/bin/env node
// `npm run build`: compiles the ingest service and shared/ to plain JavaScript (tsc with
// tsconfig.build.json), from a clean output folder, then checks that nothing in it needs a dev dependency, so
// `npm run start:prod` still works after `npm prune --omit=dev`.
// Usage: node scripts/build/build.mjs [--out DIR]   (default: dist)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? join(root, 'dist'));

const run = (cmd, args) => {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
};
rmSync(out, { recursive: true, force: true });
run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', out]);
run(process.execPath, [join(root, 'scripts', 'build', 'check-runtime-deps.mjs'), out, root]);
// The native sealing core (npm run build:native), where shared/seal/native-seal.js looks for it from the build;
// without it the built service seals in JavaScript (same messages, more CPU) and its start log says so.
const native = join('native', 'seal', 'build', 'Release', 'sealpost_seal.node');
if (existsSync(join(root, native))) cpSync(join(root, native), join(out, native));
