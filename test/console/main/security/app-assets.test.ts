import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { resolveAppAsset } from '../../../../electron/main/security/app-assets.js';

const root = resolve('/opt/sealpost/resources/out/renderer');

test('serves index.html for / and assets under the root with their type', () => {
  assert.deepEqual(resolveAppAsset('sealpost://app/', root), { file: join(root, 'index.html'), type: 'text/html; charset=utf-8' });
  assert.deepEqual(resolveAppAsset('sealpost://app/assets/index-abc.js?v=1', root), { file: join(root, 'assets/index-abc.js'), type: 'text/javascript; charset=utf-8' });
});

const hostile: [string, string][] = [
  ['dot-dot traversal', 'sealpost://app/../../../etc/passwd'],
  ['encoded traversal', 'sealpost://app/%2e%2e/%2e%2e/etc/passwd'],
  ['double-encoded traversal stays literal and is not a known type', 'sealpost://app/%252e%252e/secret'],
  ['encoded slash traversal', 'sealpost://app/assets%2f..%2f..%2fmain%2findex.js'],
  ['backslash traversal', 'sealpost://app/..%5c..%5cmain%5cindex.js'],
  ['NUL byte', 'sealpost://app/index.html%00.png'],
  ['another host', 'sealpost://other/index.html'],
  ['credentials', 'sealpost://u:p@app/index.html'],
  ['a file type the app does not ship', 'sealpost://app/../main/index.cjs'],
  ['no extension', 'sealpost://app/assets/secret'],
  ['malformed percent-encoding', 'sealpost://app/%E0%A4%A'],
  ['not a URL', '::::'],
];
for (const [why, url] of hostile) {
  test(`refuses ${why}`, () => assert.equal(resolveAppAsset(url, root), null));
}
