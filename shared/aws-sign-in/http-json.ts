import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SealpostError } from '../errors/index.js';
import { SIGN_IN_ERRORS } from './errors.js';

/** One JSON exchange with the admin API: status and parsed body (null when it is not JSON). */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * Sends one JSON request with Node's own http(s), so a private CA (`ca`) can be trusted for the
 * admin listener without turning verification off, and never follows a redirect (a bearer token
 * must not be carried to another host).
 */
export function requestJson(url: URL, opts: { method: string; body?: unknown; headers?: Record<string, string>; ca?: string | Buffer; timeoutMs: number }): Promise<JsonAnswer> {
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<JsonAnswer>((resolve, reject) => {
    const req = send(
      url,
      {
        method: opts.method,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...opts.headers,
        },
        timeout: opts.timeoutMs,
        ...(opts.ca ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) res.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            body = null;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err) =>
      reject(new SealpostError(SIGN_IN_ERRORS.unreachable, `cannot reach the admin API at ${url.origin}: ${err.message}`, { cause: err, retriable: true })),
    );
    req.end(payload);
  });
}
