import { GET_CALLER_IDENTITY_BODY, NONCE_HEADER, SERVER_ID_HEADER } from '../../../../shared/admin-api/sign-in-wire.js';
import type { LoginRequest } from '../../../../shared/admin-api/types.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import type { StsEndpoint } from './sts-endpoints.js';


/**
 * Headers a login may sign. Anything else signed is refused: the service copies exactly the signed
 * headers into the request it rebuilds, so this list is also all a client can make it send.
 */
const SIGNABLE = new Set(['host', 'content-type', 'content-length', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', SERVER_ID_HEADER, NONCE_HEADER]);
const REQUIRED_SIGNED = ['host', 'x-amz-date', SERVER_ID_HEADER];

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{16,128})\/(\d{8})\/([a-z0-9-]{1,32})\/sts\/aws4_request, ?SignedHeaders=([a-z0-9;-]{1,512}), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** A login request that passed every local check, rebuilt towards an allowlisted endpoint. */
export interface RebuiltLogin {
  endpoint: StsEndpoint;
  /** Exactly the signed headers (lower-case), plus authorization; host is the allowlisted host. */
  headers: Record<string, string>;
  body: Buffer;
  signature: string;
  /** X-Amz-Date, ms since epoch. */
  signedAt: number;
}

export interface LoginCheckOptions {
  serverId: string;
  maxSkewMs: number;
  now: number;
  allowlist: (host: string) => StsEndpoint | undefined;
}

const malformed = (message: string) => adminError(ADMIN_ERRORS.loginMalformed, 400, `${message}; sign a fresh sts:GetCallerIdentity POST with the Sealpost console or shared/aws-sign-in`);

/**
 * Checks a signed sts:GetCallerIdentity request the console sent, without trusting any of it, and
 * rebuilds it: method POST, the exact GetCallerIdentity body, a well-formed SigV4 Authorization for
 * service sts, a signed X-Sealpost-Server-ID equal to this server's id (so a request signed for
 * another server is useless here), a fresh X-Amz-Date, and a signed Host that is allowlisted. The
 * client's URL is never used: the request goes to the allowlisted endpoint's origin, path `/`.
 * Whether the signature is genuine is for STS to say; see callSts.
 */
export function checkLoginRequest(req: LoginRequest, opts: LoginCheckOptions): RebuiltLogin {
  if (req.method.toUpperCase() !== 'POST') throw malformed(`method must be POST, not ${req.method.slice(0, 16)}`);

  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (headers.has(lower)) throw malformed(`header ${lower} is given twice`);
    headers.set(lower, value);
  }

  const body = Buffer.from(req.body, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(req.body) || body.toString('utf8') !== GET_CALLER_IDENTITY_BODY) {
    throw malformed(`the body must be exactly "${GET_CALLER_IDENTITY_BODY}" (base64)`);
  }

  const auth = AUTHORIZATION.exec(headers.get('authorization') ?? '');
  if (!auth) throw malformed('the Authorization header is not an AWS4-HMAC-SHA256 signature for service sts');
  const [, , scopeDate, , signedList, signature] = auth as unknown as [string, string, string, string, string, string];
  const signed = signedList.split(';');
  if (new Set(signed).size !== signed.length) throw malformed('SignedHeaders repeats a header');

  // Server id: present, signed, ours.
  const serverId = headers.get(SERVER_ID_HEADER);
  if (serverId === undefined) {
    throw adminError(ADMIN_ERRORS.loginServerId, 401, `the signed request has no ${SERVER_ID_HEADER} header; the console must sign it with this server's id "${opts.serverId}"`);
  }
  if (!signed.includes(SERVER_ID_HEADER)) {
    throw adminError(ADMIN_ERRORS.loginServerId, 401, `${SERVER_ID_HEADER} is not in SignedHeaders: an unsigned server id proves nothing; sign it`);
  }
  if (serverId !== opts.serverId) {
    throw adminError(ADMIN_ERRORS.loginServerId, 401, `the request was signed for server "${serverId.slice(0, 128)}", this is "${opts.serverId}"; sign in to this server's URL with its id`, {
      details: { expected: opts.serverId },
    });
  }

  for (const h of REQUIRED_SIGNED) if (!signed.includes(h)) throw malformed(`${h} must be signed`);
  const unexpected = signed.filter((h) => !SIGNABLE.has(h));
  if (unexpected.length) throw malformed(`only ${[...SIGNABLE].join(', ')} may be signed, not ${unexpected.join(', ')}`);
  for (const h of signed) if (!headers.has(h)) throw malformed(`signed header ${h} is missing`);

  // Freshness.
  const amzDate = headers.get('x-amz-date')!;
  const d = AMZ_DATE.exec(amzDate);
  if (!d) throw malformed('X-Amz-Date must look like 20240101T120000Z');
  const signedAt = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(d[4]), Number(d[5]), Number(d[6]));
  if (amzDate.slice(0, 8) !== scopeDate) throw malformed('the credential scope date differs from X-Amz-Date');
  if (!Number.isFinite(signedAt) || Math.abs(opts.now - signedAt) > opts.maxSkewMs) {
    throw adminError(ADMIN_ERRORS.loginStale, 401, `the request was signed at ${amzDate}, more than ${opts.maxSkewMs / 1000} s from this server's clock; check the laptop's clock and sign in again`, {
      details: { signedAt: new Date(Number.isFinite(signedAt) ? signedAt : 0).toISOString(), serverTime: new Date(opts.now).toISOString() },
    });
  }

  const length = headers.get('content-length');
  if (length !== undefined && length !== String(body.length)) throw malformed('Content-Length does not match the body');

  // Endpoint: the signed Host must be allowlisted; the client's URL must agree with it, but is not used.
  const host = headers.get('host')!;
  const endpoint = opts.allowlist(host);
  if (!endpoint) {
    throw adminError(ADMIN_ERRORS.loginEndpoint, 400, `the request is signed for host "${host.slice(0, 255)}", which is not an allowlisted STS endpoint of this server (admin.aws.stsEndpoints); sign for https://sts.amazonaws.com or a regional sts.<region>.amazonaws.com`);
  }
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw malformed('url is not a URL');
  }
  if (url.host.toLowerCase() !== host.toLowerCase().replace(url.protocol === 'https:' ? /:443$/ : /:80$/, '')) throw malformed('url and Host disagree');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search) throw malformed('the request path must be / without a query');

  const out: Record<string, string> = {};
  for (const h of signed) out[h] = h === 'host' ? endpoint.host : headers.get(h)!;
  out.authorization = headers.get('authorization')!;
  return { endpoint, headers: out, body, signature, signedAt };
}
