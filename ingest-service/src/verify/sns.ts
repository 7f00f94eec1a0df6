import { verify as cryptoVerify } from 'node:crypto';
import type { SourceConfig } from '../config/config-schema.js';
import { forbidden, unauthenticated } from './errors.js';
import { checkFreshness } from './freshness.js';
import { singleHeader } from './headers.js';
import { fetchCertificateOverHttps } from './https-get.js';
import { createCertificateStore } from './sns-certificates.js';
import { snsStringToSign } from './sns-string-to-sign.js';
import { checkSigningCertUrl, checkSnsUrl, snsTopicRegion } from './sns-url.js';
import { decodeStrictBase64 } from './strict-base64.js';
import type { SnsMessageType, Verified, VerifyDeps, Verifier, VerifyRequest } from './types.js';

type SnsSource = Extract<SourceConfig, { kind: 'sns' }>;

const TYPES: ReadonlySet<string> = new Set<SnsMessageType>(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);
const REQUIRED = ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'] as const;

function malformed(what: string): Error {
  return unauthenticated(
    'malformed_sns_message',
    `${what}: an SNS source accepts only signed SNS HTTP(S) messages (raw message delivery must stay off, since raw messages carry no signature).`,
  );
}

function parseMessage(body: Buffer): Record<string, unknown> {
  let msg: unknown;
  try {
    msg = JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed('The body is not JSON');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw malformed('The body is not a JSON object');
  return msg as Record<string, unknown>;
}

/**
 * Verifies Amazon SNS HTTP(S) deliveries (SES events arrive this way): signature versions 1
 * (SHA1withRSA) and 2 (SHA256withRSA) over the canonical string of each message type, the signing
 * certificate only from https://sns.<the topic's region>.amazonaws.com[.cn]/, certDir first and then
 * fetched and cached. The Timestamp's freshness and the TopicArn allowlist (403) are checked before any
 * certificate is loaded, so only messages naming an allowed topic can make the service fetch one.
 * `verify.signatureVersions: [2]` refuses SHA1 signatures before any certificate is loaded.
 */
export function createSnsVerifier(source: SnsSource, deps: VerifyDeps): Verifier {
  const cfg = source.verify;
  const allowedTopics = new Set(cfg.topicArns);
  const acceptedVersions: ReadonlySet<number> = new Set(cfg.signatureVersions);
  const store = createCertificateStore({
    sourceId: source.id,
    ...(cfg.certDir ? { certDir: cfg.certDir } : {}),
    fetchCertificates: cfg.fetchCertificates,
    fetchCertificate: deps.fetchCertificate ?? fetchCertificateOverHttps,
    now: deps.now,
    log: deps.log,
  });

  return {
    async verify(req: VerifyRequest): Promise<Verified> {
      const msg = parseMessage(req.body);
      for (const key of REQUIRED) {
        if (typeof msg[key] !== 'string' || msg[key] === '') throw malformed(`The SNS message has no ${key}`);
      }
      const type = msg['Type'] as string;
      if (!TYPES.has(type)) throw malformed('The SNS message Type is not Notification, SubscriptionConfirmation or UnsubscribeConfirmation');
      const snsType = type as SnsMessageType;
      const headerType = singleHeader(req.headers, 'x-amz-sns-message-type');
      if (headerType !== undefined && headerType !== snsType) throw malformed('The x-amz-sns-message-type header disagrees with the body\'s Type');
      if (snsType !== 'Notification') {
        for (const key of ['SubscribeURL', 'Token'] as const) {
          if (typeof msg[key] !== 'string' || msg[key] === '') throw malformed(`The SNS ${snsType} has no ${key}`);
        }
      }
      if (msg['Subject'] !== undefined && msg['Subject'] !== null && typeof msg['Subject'] !== 'string') throw malformed('The SNS message Subject is not a string');

      const version = msg['SignatureVersion'] as string;
      if (version !== '1' && version !== '2') {
        throw unauthenticated('unsupported_signature_version', 'The SNS SignatureVersion is neither 1 nor 2.');
      }
      if (!acceptedVersions.has(Number(version))) {
        throw unauthenticated('unsupported_signature_version', `The SNS SignatureVersion ${version} is not accepted by this source (verify.signatureVersions: [${cfg.signatureVersions.join(', ')}]); set the topic's SignatureVersion attribute to 2.`);
      }
      const signature = decodeStrictBase64(msg['Signature'] as string);
      if (!signature) throw unauthenticated('bad_signature', 'The SNS Signature is not canonical base64.');

      // The free checks first: nothing an unauthenticated sender controls may make the service fetch a
      // certificate unless the message names an allowed topic, is fresh, and points at its topic's region.
      const timestampMs = Date.parse(msg['Timestamp'] as string);
      if (Number.isNaN(timestampMs)) throw malformed('The SNS Timestamp is not an ISO 8601 date');
      checkFreshness(timestampMs, deps.now(), cfg.maxAgeSeconds, 'SNS message Timestamp');
      const topicArn = msg['TopicArn'] as string;
      if (!allowedTopics.has(topicArn)) {
        throw forbidden('topic_not_allowed', `The SNS topic ${topicArn} is not in this source's verify.topicArns; add it there if this source should accept it.`);
      }
      const cert = checkSigningCertUrl(msg['SigningCertURL'] as string, snsTopicRegion(topicArn));
      if (!cert.ok) {
        throw forbidden('cert_url_not_allowed', `The SNS SigningCertURL is refused (${cert.problem}): certificates are only taken from https://sns.<the topic's region>.amazonaws.com/SimpleNotificationService-<hex>.pem.`);
      }

      const key = await store.publicKeyFor(cert.url, cert.fileName);
      let ok = false;
      try {
        ok = cryptoVerify(version === '1' ? 'sha1' : 'sha256', Buffer.from(snsStringToSign(snsType, msg), 'utf8'), key, signature);
      } catch {
        ok = false;
      }
      if (!ok) {
        throw unauthenticated('bad_signature', 'The SNS message signature does not verify with its signing certificate: the message was altered or not sent by SNS.');
      }
      const verified: Verified = { principal: topicArn, method: 'sns-signature', snsType };
      if (snsType !== 'Notification') {
        const subscribe = checkSnsUrl(msg['SubscribeURL'] as string);
        if (!subscribe.ok) {
          throw forbidden('subscribe_url_not_allowed', `The SNS SubscribeURL is refused (${subscribe.problem}): it must be https://sns.<region>.amazonaws.com/.`);
        }
        verified.subscribeUrl = subscribe.url.href;
      }
      return verified;
    },
  };
}
