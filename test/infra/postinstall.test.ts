import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/postinstall.mjs', import.meta.url));

/**
 * A throw-away project root holding scripts/postinstall.mjs and a stand-in node_modules/electron/install.js, so
 * the behaviour does not depend on whether this machine reaches GitHub or already has Electron.
 */
function fakeRoot(installerSource: string): string {
  const root = mkdtempSync(join(tmpdir(), 'sealpost-postinstall-'));
  mkdirSync(join(root, 'scripts'));
  cpSync(script, join(root, 'scripts', 'postinstall.mjs'));
  mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'electron', 'install.js'), installerSource);
  roots.push(root);
  return root;
}
const roots: string[] = [];

async function postinstall(root: string, env: Record<string, string>): Promise<{ out: string; ms: number }> {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('ELECTRON_SKIP_BINARY_DOWNLOAD' in env)) delete e.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const started = Date.now();
  // execFile rejects on a non-zero exit: resolving proves `npm install` would go on.
  const { stdout, stderr } = await run(process.execPath, [join(root, 'scripts', 'postinstall.mjs')], { env: e, timeout: 30_000 });
  return { out: `${stdout}${stderr}`, ms: Date.now() - started };
}

describe('postinstall (Electron binary fetch)', () => {
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('a download that hangs is cut at the timeout and explained in one line, exit 0', async () => {
    const root = fakeRoot('setInterval(() => {}, 1000);\n');
    const { out, ms } = await postinstall(root, { SEALPOST_DEV_ELECTRON_TIMEOUT_MS: '1500' });
    assert.ok(ms < 10_000, `took ${ms} ms`);
    assert.deepEqual(out.trim().split('\n'), [
      'Electron binary not downloaded (timed out after 2 s); the console needs it: on a machine with internet run `node node_modules/electron/install.js`',
    ]);
  });

  it('a failing download shows the first error line only, exit 0', async () => {
    const root = fakeRoot(
      "console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous> (x.js:1:1)');\nprocess.exit(1);\n",
    );
    const { out } = await postinstall(root, {});
    assert.deepEqual(out.trim().split('\n'), [
      'Electron binary not downloaded (exit 1: RequestError: getaddrinfo ENOTFOUND github.com); the console needs it: on a machine with internet run `node node_modules/electron/install.js`',
    ]);
  });

  it('a successful download prints nothing of its own', async () => {
    const root = fakeRoot('process.exit(0);\n');
    assert.equal((await postinstall(root, {})).out, '');
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD skips the installer entirely', async () => {
    const root = fakeRoot("console.error('installer ran'); process.exit(1);\n");
    assert.equal((await postinstall(root, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).out, '');
  });
});
