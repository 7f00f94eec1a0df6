import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { configError, unauthenticated } from './errors.js';
import { checkFreshness, parseUnixSeconds } from './freshness.js';
import { singleHeader, type RequestHeaders } from './headers.js';
import { decodeStrictBase64 } from './strict-base64.js';

/** Header names of Twilio SendGrid's Signed Event Webhook. */
export const SENDGRID_SIGNATURE_HEADER = 'X-Twilio-Email-Event-Webhook-Signature';
export const SENDGRID_TIMESTAMP_HEADER = 'X-Twilio-Email-Event-Webhook-Timestamp';

/**
 * Imports the verification key as SendGrid shows it (base64 DER SPKI; line breaks tolerated, or a
 * full PEM) once at start, and insists it is ECDSA P-256 so a misconfigured key fails loudly at start
 * rather than as a 401 on every request.
 */
export function importSendgridPublicKey(sourceId: string, publicKey: string): KeyObject {
  const trimmed = publicKey.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) key = createPublicKey(trimmed);
    else {
      const der = decodeStrictBase64(trimmed.replace(/\s+/g, ''));
      if (!der) throw new Error('not canonical base64');
      key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
  } catch (cause) {
    throw configError(sourceId, 'verify.publicKey is not a base64 DER (SPKI) public key; copy the "Verification Key" from SendGrid\'s Mail Settings > Signed Event Webhook.', cause);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw configError(sourceId, 'verify.publicKey must be an ECDSA P-256 key, as SendGrid issues for the Signed Event Webhook.');
  }
  return key;
}

/** True when the request carries any Signed Event Webhook header (so the signature must be checked). */
export function hasSendgridSignature(headers: RequestHeaders): boolean {
  return singleHeader(headers, SENDGRID_SIGNATURE_HEADER) !== undefined || singleHeader(headers, SENDGRID_TIMESTAMP_HEADER) !== undefined;
}

/**
 * Checks Twilio SendGrid's Signed Event Webhook: ECDSA P-256 with SHA-256 over the timestamp header's
 * bytes followed by the body bytes exactly as received (never re-serialised JSON), the signature being
 * base64 DER. Throws a 401 SealpostError; returns normally when the signature holds.
 */
export function checkSendgridSignature(key: KeyObject, headers: RequestHeaders, body: Buffer, nowMs: number, maxAgeSeconds: number): void {
  const signature = singleHeader(headers, SENDGRID_SIGNATURE_HEADER);
  const timestamp = singleHeader(headers, SENDGRID_TIMESTAMP_HEADER);
  if (signature === undefined || signature === '') {
    throw unauthenticated('missing_signature', `The ${SENDGRID_SIGNATURE_HEADER} header is missing: enable "Signed Event Webhook Requests" in SendGrid's Mail Settings.`);
  }
  if (timestamp === undefined || timestamp === '') {
    throw unauthenticated('missing_timestamp', `The ${SENDGRID_TIMESTAMP_HEADER} header is missing; SendGrid sends it with every signed request.`);
  }
  const seconds = parseUnixSeconds(timestamp, SENDGRID_TIMESTAMP_HEADER);
  const der = decodeStrictBase64(signature);
  if (!der) {
    throw unauthenticated('bad_signature', `The ${SENDGRID_SIGNATURE_HEADER} header is not canonical base64; it must be SendGrid's base64 DER signature, unmodified.`);
  }
  const verifier = createVerify('sha256');
  verifier.update(timestamp, 'utf8');
  verifier.update(body);
  let ok = false;
  try {
    ok = verifier.verify({ key, dsaEncoding: 'der' }, der);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw unauthenticated(
      'bad_signature',
      'The SendGrid signature does not match the body: check that verify.publicKey is this account\'s current Verification Key and that no proxy rewrites the body.',
    );
  }
  // After the signature: the timestamp is only meaningful once we know SendGrid wrote it.
  checkFreshness(seconds * 1000, nowMs, maxAgeSeconds, `${SENDGRID_TIMESTAMP_HEADER} timestamp`);
}
