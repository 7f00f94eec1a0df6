import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBridge, type Bridge } from '../../../electron/bridge/http-bridge.js';

/** A raw GET with a chosen Host header (fetch would always send the URL's own). */
function get(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('console test bridge: DNS rebinding', () => {
  let bridge: Bridge;
  let rendererDir: string;
  before(async () => {
    rendererDir = mkdtempSync(join(tmpdir(), 'sealpost-bridge-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>x</title></head><body></body></html>');
    bridge = await startBridge({ rendererDir });
  });
  after(async () => {
    await bridge.close();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('serves the page, with its token, to Host 127.0.0.1:<port>', async () => {
    const own = new URL(bridge.url).host;
    const res = await get(bridge.url, '/index.html', own);
    assert.equal(res.status, 200);
    assert.match(res.body, /sealpost-bridge-token/);
  });

  const port = (): string => new URL(bridge.url).port;
  const hostile: [string, () => string][] = [
    ['a rebound name', () => `evil.example:${port()}`],
    ['a name that starts like the address', () => `127.0.0.1.evil.example:${port()}`],
    ['localhost', () => `localhost:${port()}`],
    ['no port', () => '127.0.0.1'],
    ['another port', () => `127.0.0.1:${Number(port()) === 1 ? 2 : 1}`],
    ['IPv6 loopback', () => `[::1]:${port()}`],
    ['octal loopback', () => `0177.0.0.1:${port()}`],
    ['a port followed by a name', () => `127.0.0.1:${port()}.evil.example`],
  ];
  for (const [name, host] of hostile) {
    it(`refuses Host of ${name} with 421, page and API alike, and the token is not in the answer`, async () => {
      const page = await get(bridge.url, '/index.html', host());
      assert.equal(page.status, 421);
      assert.doesNotMatch(page.body, /sealpost-bridge-token/);
      const api = await get(bridge.url, '/api/settings:get', host());
      assert.equal(api.status, 421);
    });
  }
});
