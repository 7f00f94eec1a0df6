#!/usr/bin/env node
// npm run build:native (also run by postinstall): builds the native sealing core native/seal/ with node-gyp, against
// the running Node's own headers and OpenSSL (no download when the headers sit beside node, as in Debian's nodejs and
// the official tarballs). Never fails an install: without a compiler the service seals in JavaScript (same bytes,
// slower) and says so at start. `--strict` exits non-zero instead (CI, to prove the native path is the one tested).
// Without local headers node-gyp would download them (an offline server stalls up to the 300 s timeout): the build is
// skipped and says why, unless `--strict` or SEALPOST_NATIVE_DOWNLOAD_HEADERS=1 asks for the download.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'native', 'seal');
const strict = process.argv.includes('--strict');
const nodedir = resolve(dirname(process.execPath), '..');
const localHeaders = existsSync(join(nodedir, 'include', 'node', 'node_api.h'));
const mayDownloadHeaders = strict || process.env.SEALPOST_NATIVE_DOWNLOAD_HEADERS === '1';

// npm hands its own node-gyp to lifecycle scripts (so `npm ci --omit=dev` builds too); else the dev dependency tree's.
let gyp = process.env.npm_config_node_gyp;
if (!gyp || !existsSync(gyp)) {
  try {
    gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    gyp = undefined;
  }
}
const done = (ok, why) => {
  if (ok) console.log(`native sealing core built: ${join(dir, 'build', 'Release', 'sealpost_seal.node')}`);
  else console.warn(`native sealing core not built (${why}); sealing runs in JavaScript: same messages, slower`);
  process.exit(ok || !strict ? 0 : 1);
};
if (!gyp) done(false, 'node-gyp not installed');
if (!localHeaders && !mayDownloadHeaders) {
  done(false, `no Node headers at ${join(nodedir, 'include', 'node')}; set SEALPOST_NATIVE_DOWNLOAD_HEADERS=1 (or pass --strict) to let node-gyp download them`);
}
const res = spawnSync(process.execPath, [gyp, 'rebuild', ...(localHeaders ? [`--nodedir=${nodedir}`] : [])], {
  cwd: dir,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  timeout: 300_000,
});
const firstError = `${res.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l));
done(res.status === 0, res.error?.message ?? `node-gyp exit ${res.status}${firstError ? `: ${firstError.trim().slice(0, 200)}` : ''}`);
