import { randomBytes } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { GET_CALLER_IDENTITY_BODY, NONCE_HEADER, SERVER_ID_HEADER } from '../admin-api/sign-in-wire.js';
import type { LoginRequest } from '../admin-api/types.js';


export interface SignLoginOptions {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The admin server's id (configured in the console next to its URL; never asked from the server). */
  serverId: string;
  /** Signing region; with no endpoint, also picks the regional STS endpoint. Default: the global endpoint, us-east-1. */
  region?: string;
  /** STS endpoint to sign for (must be allowlisted by the server): default https://sts.amazonaws.com or https://sts.<region>.amazonaws.com. */
  stsEndpoint?: string;
  signingDate?: Date;
}

/**
 * Signs an sts:GetCallerIdentity POST with the profile's credentials (SigV4, service sts),
 * including X-Sealpost-Server-ID (and a random X-Sealpost-Nonce) in the signed headers, and returns it as the admin API's login
 * request: method, URL, headers and body (base64). The credentials never leave this process; the
 * server sends the signed request to STS itself and learns only who signed it.
 */
export async function signLoginRequest(opts: SignLoginOptions): Promise<LoginRequest> {
  const endpoint = new URL(opts.stsEndpoint ?? (opts.region ? `https://sts.${opts.region}.amazonaws.com` : 'https://sts.amazonaws.com'));
  const region = opts.region ?? 'us-east-1';
  const signer = new SignatureV4({ credentials: opts.credentials, region, service: 'sts', sha256: Sha256, applyChecksum: false });
  const body = GET_CALLER_IDENTITY_BODY;
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: '/',
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        [SERVER_ID_HEADER]: opts.serverId,
        [NONCE_HEADER]: randomBytes(16).toString('base64url'),
      },
      body,
    },
    opts.signingDate ? { signingDate: opts.signingDate } : {},
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
  return { method: 'POST', url: `${endpoint.origin}/`, headers, body: Buffer.from(body, 'utf8').toString('base64') };
}
