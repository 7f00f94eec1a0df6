import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_METHODS, CHANNELS } from '../../../shared/console-api/index.js';

test('window.sealpost has exactly one method per channel of the contract', () => {
  const bound = Object.values(API_METHODS).sort();
  assert.deepEqual(bound, [...CHANNELS].sort());
  assert.equal(new Set(bound).size, bound.length);
});

test('the preload exposes exactly the API methods: no generic send, no ipcRenderer, no process.env', async () => {
  const { readFile } = await import('node:fs/promises');
  const withComments = await readFile(new URL('../../../electron/preload/index.ts', import.meta.url), 'utf8');
  const src = withComments.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const methods = [...src.matchAll(/^\s{2}(\w+): \(/gm)].map((m) => m[1]).sort();
  assert.deepEqual(methods, Object.keys(API_METHODS).sort());
  assert.equal((src.match(/exposeInMainWorld\(/g) ?? []).length, 1);
  assert.doesNotMatch(src, /process\.env|ipcRenderer\.(send|on)\b|sendSync/);
});
