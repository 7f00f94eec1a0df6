import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);

test('electron-builder.yml passes electron-builder\'s own schema and packages Linux, macOS and Windows', async () => {
  const config = parse(readFileSync('electron-builder.yml', 'utf8'));
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new () => unknown };
  await validateConfiguration(config, new DebugLogger());
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.equal(config.mac.target, 'dmg');
  assert.equal(config.win.target, 'nsis');
  assert.equal(config.electronFuses.runAsNode, false, 'ELECTRON_RUN_AS_NODE must not turn the console into a Node shell');
  assert.ok(config.files.includes('!out/renderer-bridge/**'), 'the browser-test bridge build never ships');
});
