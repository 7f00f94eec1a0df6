import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrustedSender, type SenderFacts } from '../../../../electron/main/security/sender.js';
import { APP_ORIGIN } from '../../../../electron/main/security/trusted-url.js';

const trusted = new Set([7]);
const good: SenderFacts = { webContentsId: 7, frameUrl: 'sealpost://app/index.html', isMainFrame: true };

test('the console window, top frame, on the app origin is trusted', () => assert.equal(isTrustedSender(good, trusted, APP_ORIGIN), true));

const hostile: [string, SenderFacts][] = [
  ['a webContents main did not create', { ...good, webContentsId: 8 }],
  ['an iframe inside the console window', { ...good, isMainFrame: false }],
  ['the console window navigated to a remote page', { ...good, frameUrl: 'https://evil.example/' }],
  ['the console window showing a file:// page', { ...good, frameUrl: 'file:///tmp/x.html' }],
  ['a frame that is gone', { ...good, frameUrl: undefined }],
  ['a data: page', { ...good, frameUrl: 'data:text/html,hi' }],
  ['an about:blank popup', { ...good, frameUrl: 'about:blank' }],
  ['a lookalike app host', { ...good, frameUrl: 'sealpost://app2/index.html' }],
];
for (const [why, facts] of hostile) {
  test(`refused: ${why}`, () => assert.equal(isTrustedSender(facts, trusted, APP_ORIGIN), false));
}

test('a closed window is forgotten: its id no longer trusted', () => {
  const ids = new Set([7]);
  ids.delete(7);
  assert.equal(isTrustedSender(good, ids, APP_ORIGIN), false);
});
