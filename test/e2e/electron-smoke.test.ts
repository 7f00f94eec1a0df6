// Smoke test of the real Electron app (main + preload + renderer) through Playwright's _electron driver.
// Runs where the Electron binary is installed (node_modules/electron/dist); elsewhere it reports itself skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright';

const ROOT = process.cwd();
const BINARY_DIR = join(ROOT, 'node_modules', 'electron', 'dist');
const skip = existsSync(BINARY_DIR) ? false : 'skipped: no Electron binary in node_modules/electron/dist (download blocked here; run `node node_modules/electron/install.js`)';

test('the Electron app boots sandboxed and exposes only window.sealpost', { skip, timeout: 180_000 }, async () => {
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const userData = mkdtempSync(join(tmpdir(), 'sp-electron-'));
  const args = [join(ROOT, 'out', 'main', 'index.js'), `--user-data-dir=${userData}`];
  if (process.platform === 'linux' && !process.env.DISPLAY) args.push('--ozone-platform=headless');
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const app = await electron.launch({ args, cwd: ROOT, env: { ...process.env, ELECTRON_RENDERER_URL: '' } });
  try {
    const win = await app.firstWindow();
    await win.waitForLoadState('domcontentloaded');
    assert.match(win.url(), /^sealpost:\/\/app\//);
    const seen = await win.evaluate(() => ({
      api: Object.keys((window as unknown as { sealpost: object }).sealpost).sort(),
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    assert.equal(seen.require, 'undefined');
    assert.equal(seen.process, 'undefined');
    assert.ok(seen.api.includes('listTopics') && !seen.api.includes('send') && !seen.api.includes('invoke'));
    const settings = await win.evaluate(() => (window as unknown as { sealpost: { getSettings(): Promise<unknown> } }).sealpost.getSettings());
    assert.equal((settings as { ok: boolean }).ok, true);
    // Context isolation: the page cannot reach the preload's scope, only the exposed (frozen) object.
    const isolated = await win.evaluate(() => !('ipcRenderer' in globalThis) && !('electron' in globalThis) && !('contextBridge' in globalThis));
    assert.equal(isolated, true);
    // Navigation away is refused: the window stays on the app.
    await win.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.match(win.url(), /^sealpost:\/\/app\//);
    await win.screenshot({ path: join(ROOT, 'test-results', 'console-e2e', 'electron-smoke.png') });
  } finally {
    await app.close();
    rmSync(userData, { recursive: true, force: true });
  }
});
