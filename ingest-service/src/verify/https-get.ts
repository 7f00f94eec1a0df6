import { get } from 'node:https';

/** Result of a small HTTPS GET. */
export interface HttpsGetResult {
  status: number;
  body: string;
}

/**
 * A bounded HTTPS GET for the two calls verification makes to AWS (signing certificate, SubscribeURL):
 * TLS verified by Node's CA store, no redirects followed, a hard timeout and a size cap so a slow or
 * huge answer cannot pin a request.
 */
export function httpsGet(url: string, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<HttpsGetResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxBytes = opts.maxBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs, headers: { accept: '*/*', 'user-agent': 'sealpost-ingest' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new Error(`answer larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Default certificate fetcher: HTTPS GET that must answer 200. */
export async function fetchCertificateOverHttps(url: string): Promise<string> {
  const res = await httpsGet(url);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return res.body;
}
