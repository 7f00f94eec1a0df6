import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy } from '../../../../electron/main/security/csp.js';

const parse = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

test('production CSP: scripts only from the app, nothing inline or evaluated, no remote connections', () => {
  const csp = parse(contentSecurityPolicy());
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('script-src'), ["'self'"]);
  assert.deepEqual(csp.get('connect-src'), ["'self'"]);
  assert.deepEqual(csp.get('object-src'), ["'none'"]);
  assert.deepEqual(csp.get('base-uri'), ["'none'"]);
  assert.deepEqual(csp.get('form-action'), ["'none'"]);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  for (const [, sources] of csp) {
    assert.ok(!sources.includes("'unsafe-eval'"), 'never unsafe-eval');
    assert.ok(!sources.includes('*'), 'never a wildcard');
  }
});

test('development CSP adds only the dev server and its websocket', () => {
  const csp = parse(contentSecurityPolicy({ devServer: 'http://localhost:5173/' }));
  assert.deepEqual(csp.get('connect-src'), ["'self'", 'http://localhost:5173', 'ws://localhost:5173']);
  assert.ok(csp.get('script-src')!.includes('http://localhost:5173'));
  assert.ok(!csp.get('script-src')!.includes("'unsafe-eval'"));
});
