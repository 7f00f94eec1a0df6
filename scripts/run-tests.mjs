#!/usr/bin/env node
// Runs the test suite with Node's own test runner (through tsx for TypeScript).
// Usage: node scripts/run-tests.mjs [folder-or-file ...]   (default: test/)
// Node 20's --test does not expand globs itself, so the files are found here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = [];
const walk = (p) => {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const name of readdirSync(p).sort()) if (name !== 'node_modules') walk(join(p, name));
  } else if (/\.test\.tsx?$/.test(p)) files.push(p);
};
for (const r of roots) walk(r);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
