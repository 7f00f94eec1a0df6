import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, it } from 'node:test';
import { sendgridSignedHeaders } from '../../ingest-service/src/dev/index.js';
import { makeSendgridBatch, startTestService, tempDataDir, type TestService } from '../support/ingest.js';
import { selfSigned } from '../support/tls.js';

// The ingest listener with the configured certificate: a sender that trusts it gets its 2xx over TLS,
// and the same port refuses plain HTTP.
let svc: TestService;
let ca: Buffer;
let privateKey: string;
before(async () => {
  const dir = tempDataDir('sealpost-tls-');
  const tls = selfSigned(dir, undefined, 'ingest');
  ca = readFileSync(tls.cert);
  svc = await startTestService({ overrides: { listen: { host: '127.0.0.1', port: 0, tls } } });
  privateKey = svc.sendgridPrivateKey;
});
after(async () => svc?.stop());

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('serves HTTPS with the configured certificate and acknowledges a signed batch', async () => {
  assert.ok(svc.service.url.startsWith('https://'), svc.service.url);
  const { body } = makeSendgridBatch(3, 'tls');
  const ts = Math.floor(Date.now() / 1000);
  const res = await post(`${svc.service.url}/v1/sendgrid/sendgrid`, body, sendgridSignedHeaders(privateKey, body, ts));
  assert.equal(res.status, 200, res.body);
  assert.equal(JSON.parse(res.body).accepted, 3);
});

it('does not speak plain HTTP on the TLS port', async () => {
  await assert.rejects(fetch(svc.service.url.replace('https://', 'http://') + '/healthz'));
});
