import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from '../verify/sendgrid-signature.js';

/** A Signed Event Webhook key pair as SendGrid would hold it: we verify with the public half. */
export interface SendgridKeyPair {
  /** The verification key as SendGrid's UI shows it: base64 DER (SPKI), ECDSA P-256. */
  publicKey: string;
  /** PKCS#8 PEM private key, to sign development and test requests the way SendGrid does. */
  privateKeyPem: string;
}

/** Makes a fresh P-256 key pair so tests, samples and benchmarks can play SendGrid. */
export function generateSendgridKeyPair(): SendgridKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Signs like SendGrid's Signed Event Webhook: ECDSA P-256 / SHA-256 over the timestamp string's bytes
 * followed by the body bytes, base64 DER. Returns the X-Twilio-Email-Event-Webhook-Signature value.
 */
export function signSendgrid(privateKeyPem: string, timestamp: string | number, body: Buffer | string): string {
  const data = Buffer.concat([Buffer.from(String(timestamp), 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
  return sign('sha256', data, { key: createPrivateKey(privateKeyPem), dsaEncoding: 'der' }).toString('base64');
}

/** Both Signed Event Webhook headers for a body, timestamped `nowSeconds` (default: the current time). */
export function sendgridSignedHeaders(privateKeyPem: string, body: Buffer | string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(nowSeconds);
  return {
    [SENDGRID_SIGNATURE_HEADER]: signSendgrid(privateKeyPem, timestamp, body),
    [SENDGRID_TIMESTAMP_HEADER]: timestamp,
  };
}
