import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import type { RebuiltLogin } from './login-request.js';

/** Who STS says signed the request. */
export interface CallerIdentity {
  arn: string;
  account: string;
  userId: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;
const CALLER_ARN = /^arn:aws[a-z-]*:(?:sts|iam)::\d{12}:[\w+=,.@/-]+$/;

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!m) return undefined;
  return m[1]!.replace(/&(lt|gt|quot|apos|amp);/g, (_e, n: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[n]!);
}

/**
 * Sends the rebuilt GetCallerIdentity to the allowlisted endpoint (no redirects followed, bounded
 * answer, timeout) and reads the caller from STS's XML. A refusal by STS (SignatureDoesNotMatch,
 * expired token...) is a 401 naming STS's code; STS unreachable or unreadable is a retriable 503.
 */
export async function callSts(login: RebuiltLogin, opts: { timeoutMs: number }): Promise<CallerIdentity> {
  const url = new URL('/', login.endpoint.origin);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', headers: { ...login.headers, 'content-length': String(login.body.length), accept: 'text/xml' }, timeout: opts.timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            res.destroy();
            reject(new Error('STS answer too large'));
          } else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(login.body);
  }).catch((err: unknown) => {
    throw adminError(ADMIN_ERRORS.stsUnavailable, 503, `cannot reach STS at ${login.endpoint.origin} (${(err as Error).message}); retry, or check the server's route to STS`, { cause: err, retriable: true });
  });

  if (status === 200) {
    const arn = xmlText(text, 'Arn');
    const account = xmlText(text, 'Account');
    const userId = xmlText(text, 'UserId');
    if (!arn || !CALLER_ARN.test(arn) || !account || !/^\d{12}$/.test(account)) {
      throw adminError(ADMIN_ERRORS.stsUnavailable, 502, 'STS answered 200 without a readable caller identity; retry', { retriable: true });
    }
    return { arn, account, userId: userId ?? '' };
  }
  const code = xmlText(text, 'Code') ?? `HTTP ${status}`;
  if (status >= 400 && status < 500) {
    throw adminError(ADMIN_ERRORS.loginRejected, 401, `STS refused the signed request (${code}): the signature, credentials or session token are not valid; refresh the profile's credentials (aws sso login...) and sign in again`, {
      details: { stsCode: code },
    });
  }
  throw adminError(ADMIN_ERRORS.stsUnavailable, 503, `STS answered ${status} (${code}); retry shortly`, { retriable: true, details: { stsCode: code } });
}
