import type { SourceConfig } from '../config/config-schema.js';
import { createBearerCheck, type BearerCheck } from './bearer.js';
import { unauthenticated } from './errors.js';
import { singleHeader, type RequestHeaders } from './headers.js';
import { checkEventsHmac, hasEventsSignature } from './hmac.js';
import { checkSendgridSignature, hasSendgridSignature, importSendgridPublicKey } from './sendgrid-signature.js';
import { createSnsVerifier } from './sns.js';
import type { Verified, VerifyDeps, Verifier, VerifyMethod } from './types.js';

/** One signature scheme of a source, already bound to its key or secret. */
interface SignatureScheme {
  method: VerifyMethod;
  present(headers: RequestHeaders): boolean;
  check(headers: RequestHeaders, body: Buffer, nowMs: number): void;
}

/**
 * Combines a source's signature scheme and bearer check. Rule: every credential the request presents
 * for a configured method is checked and must pass (a present but wrong credential is never ignored);
 * at least one must be presented. So a SendGrid account sending both a signature and an OAuth token
 * has both checked, and one sending only either passes on that one.
 */
function combined(signature: SignatureScheme | undefined, bearer: BearerCheck | undefined, deps: VerifyDeps): Verifier {
  return {
    async verify({ headers, body }) {
      const authorization = bearer ? singleHeader(headers, 'authorization') : undefined;
      const tokenPresent = authorization !== undefined;
      const signaturePresent = signature ? signature.present(headers) : false;
      if (!tokenPresent && !signaturePresent) {
        if (signature && !bearer) signature.check(headers, body, deps.now()); // throws the precise "missing ..." error
        if (bearer && !signature) throw unauthenticated('missing_token', 'The Authorization header is missing: send "Authorization: Bearer <JWT>" from the configured issuer.');
        throw unauthenticated('missing_credentials', 'Neither a signature nor an Authorization bearer token was sent; this source accepts either.');
      }
      let principal: string | undefined;
      let method: VerifyMethod | undefined;
      if (signaturePresent && signature) {
        signature.check(headers, body, deps.now());
        principal = signature.method;
        method = signature.method;
      }
      if (tokenPresent && bearer) {
        principal = await bearer(authorization);
        method = 'bearer';
      }
      return { principal: principal!, method: method! } satisfies Verified;
    },
  };
}

/**
 * Builds the verifier of one configured source, once at start: keys are imported and JWKS sets
 * created here, so a bad key is a start-up error and requests pay only for the check itself.
 * `verify` resolves with who sent the request or rejects with a SealpostError: 401 (missing, bad or
 * stale credentials), 403 (signed but not allowed: SNS topic, certificate host) or 503 (a certificate
 * or JWKS could not be fetched; retriable). `details.reason` is a stable label (see VERIFY_REASONS).
 */
export function createVerifier(source: SourceConfig, deps: VerifyDeps): Verifier {
  switch (source.kind) {
    case 'sns':
      return createSnsVerifier(source, deps);
    case 'sendgrid': {
      const { publicKey, maxAgeSeconds, oauth } = source.verify;
      const key = publicKey ? importSendgridPublicKey(source.id, publicKey) : undefined;
      const signature: SignatureScheme | undefined = key && {
        method: 'sendgrid-signature',
        present: hasSendgridSignature,
        check: (headers, body, nowMs) => checkSendgridSignature(key, headers, body, nowMs, maxAgeSeconds),
      };
      return combined(signature, oauth ? createBearerCheck(source.id, oauth, deps.now) : undefined, deps);
    }
    case 'events': {
      const { hmacSecret, maxAgeSeconds, bearer } = source.verify;
      const signature: SignatureScheme | undefined = hmacSecret
        ? {
            method: 'hmac',
            present: hasEventsSignature,
            check: (headers, body, nowMs) => checkEventsHmac(hmacSecret, headers, body, nowMs, maxAgeSeconds),
          }
        : undefined;
      return combined(signature, bearer ? createBearerCheck(source.id, bearer, deps.now) : undefined, deps);
    }
  }
}
