import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN, isAppUrl, safeExternalUrl } from '../../../../electron/main/security/trusted-url.js';

const refused: [string, unknown][] = [
  ['javascript scheme', 'javascript:alert(1)'],
  ['JavaScript in mixed case with spaces', ' JaVaScRiPt:alert(1)'],
  ['data URL', 'data:text/html,<script>alert(1)</script>'],
  ['file URL', 'file:///etc/passwd'],
  ['plain http', 'http://example.com/'],
  ['smb share (launches programs on Windows)', 'smb://attacker/share'],
  ['custom scheme handler', 'ms-msdt:/id PCWDiagnostic'],
  ['vbscript', 'vbscript:msgbox(1)'],
  ['credentials in the URL', 'https://user:pass@example.com/'],
  ['username only', 'https://user@example.com/'],
  ['control character smuggling', 'https://example.com/\u0000evil'],
  ['newline in URL', 'https://example.com/\nSet-Cookie: x'],
  ['leading whitespace', ' https://example.com/'],
  ['not a URL', 'example.com'],
  ['relative path', '/docs'],
  ['protocol-relative', '//evil.example/'],
  ['empty', ''],
  ['too long', `https://example.com/${'a'.repeat(3000)}`],
  ['not a string', { toString: () => 'https://example.com' }],
  ['null', null],
  ['https without host', 'https://'],
  ['https with an empty host and port', 'https://:443/'],
];
for (const [why, url] of refused) {
  test(`openExternal refuses ${why}`, () => assert.equal(safeExternalUrl(url), null));
}

test('openExternal accepts a plain https URL and returns it parsed', () => {
  const u = safeExternalUrl('https://docs.aws.amazon.com/kms/latest/developerguide/overview.html#x');
  assert.equal(u?.hostname, 'docs.aws.amazon.com');
});

const notApp: [string, unknown][] = [
  ['another scheme host', 'sealpost://evil/index.html'],
  ['file page', 'file:///work/out/renderer/index.html'],
  ['https page', 'https://app/'],
  ['lookalike host', 'sealpost://app.evil/'],
  ['credentials prefix', 'sealpost://app@evil/'],
  ['undefined (frame gone)', undefined],
  ['garbage', 'not a url'],
];
for (const [why, url] of notApp) {
  test(`not a console page: ${why}`, () => assert.equal(isAppUrl(url, APP_ORIGIN), false));
}

test('console pages on the app origin, and the dev server only when it is the app origin', () => {
  assert.equal(isAppUrl('sealpost://app/index.html', APP_ORIGIN), true);
  assert.equal(isAppUrl('sealpost://app/', APP_ORIGIN), true);
  assert.equal(isAppUrl('http://localhost:5173/', 'http://localhost:5173'), true);
  assert.equal(isAppUrl('http://localhost:5174/', 'http://localhost:5173'), false);
  assert.equal(isAppUrl('http://localhost:5173/', APP_ORIGIN), false);
});
