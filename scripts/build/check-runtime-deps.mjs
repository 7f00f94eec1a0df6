#!/usr/bin/env node
// Checks that the compiled service needs nothing `npm prune --omit=dev` removes: every bare import in the
// built JavaScript (static, re-export, literal dynamic import(), require) must be a Node built-in or a package in
// package.json `dependencies` that package-lock.json does not mark dev-only; every relative import must exist.
// Usage: node scripts/build/check-runtime-deps.mjs [DIST_DIR] [PACKAGE_DIR]   (defaults: dist, .)
// Prints one line per problem and exits 1; prints a summary and exits 0 when clean.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const distDir = resolve(process.argv[2] ?? 'dist');
const pkgDir = resolve(process.argv[3] ?? '.');

/** `kafkajs/x` → `kafkajs`, `@aws-sdk/client-kms/y` → `@aws-sdk/client-kms`. */
const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const IMPORT_RE = [
  /\bfrom\s*['"]([^'"\n]+)['"]/g, // import x from '…', export … from '…'
  /\bimport\s*['"]([^'"\n]+)['"]/g, // import '…'
  /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g, // import('…')
  /\brequire\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g, // require('…')
];

function jsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return jsFiles(p);
    return /\.(c|m)?js$/.test(name) ? [p] : [];
  });
}

const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const lockFile = join(pkgDir, 'package-lock.json');
const lock = existsSync(lockFile) ? JSON.parse(readFileSync(lockFile, 'utf8')) : { packages: {} };
const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);

const files = jsFiles(distDir);
const problems = [];
const used = new Set();
if (files.length === 0) problems.push(`${distDir}: no JavaScript files (run npm run build first)`);
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const where = relative(process.cwd(), file);
  for (const re of IMPORT_RE) {
    for (const m of text.matchAll(re)) {
      const spec = m[1];
      if (spec.startsWith('.') || spec.startsWith('/')) {
        if (!existsSync(resolve(dirname(file), spec))) problems.push(`${where}: imports ${spec}, which is not in the build`);
        continue;
      }
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      const name = packageName(spec);
      used.add(name);
      if (!runtime.has(name)) {
        const dev = name in (pkg.devDependencies ?? {}) ? ' (a devDependency: npm prune --omit=dev removes it)' : '';
        problems.push(`${where}: imports ${spec}, but ${name} is not in package.json dependencies${dev}`);
      } else if (lock.packages?.[`node_modules/${name}`]?.dev) {
        problems.push(`${where}: imports ${spec}, but package-lock.json marks ${name} dev-only`);
      }
    }
  }
}
if (problems.length) {
  for (const p of problems) console.error(`runtime dependency check: ${p}`);
  process.exit(1);
}
console.log(`runtime dependency check: ok, ${files.length} files, packages used at run time: ${[...used].sort().join(', ')}`);
