#!/usr/bin/env node
// Root `postinstall`: fetch the Electron binary the console needs, without ever failing `npm install`.
// package.json `allowScripts` denies electron's own download script (it would break installs on machines that
// cannot reach GitHub), so it is run here instead, with a timeout, and a failure is one clear line plus exit 0.
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips it entirely (CI, the ingest service, machines without internet).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const installer = join(root, 'node_modules', 'electron', 'install.js');
const timeoutMs = Number(process.env.SEALPOST_DEV_ELECTRON_TIMEOUT_MS ?? 60_000);

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0);
if (!existsSync(installer)) process.exit(0); // electron not installed (e.g. --omit=dev): nothing to fetch

const res = spawnSync(process.execPath, [installer], {
  cwd: dirname(installer),
  encoding: 'utf8',
  timeout: timeoutMs,
  killSignal: 'SIGKILL',
  stdio: ['ignore', 'pipe', 'pipe'],
});

if (res.status === 0 && !res.error) process.exit(0);

let reason;
if (res.error?.code === 'ETIMEDOUT' || res.signal === 'SIGKILL') reason = `timed out after ${Math.round(timeoutMs / 1000)} s`;
else if (res.error) reason = res.error.message;
else {
  const firstLine = `${res.stderr ?? ''}\n${res.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  reason = `exit ${res.status}${firstLine ? `: ${firstLine.slice(0, 160)}` : ''}`;
}
console.warn(
  `Electron binary not downloaded (${reason}); the console needs it: on a machine with internet run \`node node_modules/electron/install.js\``,
);
process.exit(0);
