import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An SNS HTTP(S) message body as SNS posts it (all values are strings). */
export type SnsBody = Record<string, string>;

/**
 * Plays Amazon SNS in tests: an RSA key with a self-signed certificate (openssl CLI) written into a
 * temporary certDir under the file name of `certUrl`, and signers for SNS messages, version 1
 * (SHA1withRSA) and 2 (SHA256withRSA). The string to sign is written here again from the AWS guide,
 * independently of the service's code, so a mistake on one side shows up as a failing test.
 */
export interface SnsSigner {
  region: string;
  certDir: string;
  certFileName: string;
  /** https://sns.<region>.amazonaws.com/<certFileName>: the SigningCertURL our messages carry. */
  certUrl: string;
  certPem: string;
  /** A signed Notification carrying `message` (a string, e.g. an SES event as JSON). */
  notification(opts: { topicArn: string; message: string; subject?: string; messageId?: string; timestamp?: Date; version?: 1 | 2; certUrl?: string }): SnsBody;
  /** A signed SubscriptionConfirmation or UnsubscribeConfirmation. */
  confirmation(
    type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
    opts: { topicArn: string; subscribeUrl?: string; token?: string; timestamp?: Date; version?: 1 | 2; certUrl?: string },
  ): SnsBody;
  /** Re-signs a (possibly edited) body in place with its SignatureVersion; returns it. */
  resign(body: SnsBody): SnsBody;
  cleanup(): void;
}

function stringToSign(body: SnsBody): string {
  const keys =
    body['Type'] === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.filter((k) => body[k] !== undefined).map((k) => `${k}\n${body[k]}\n`).join('');
}

/** Creates a signer with its own key and certificate (valid `days` days from now). */
export function createSnsSigner(opts: { region?: string; days?: number } = {}): SnsSigner {
  const region = opts.region ?? 'us-east-1';
  const certDir = mkdtempSync(join(tmpdir(), 'sealpost-sns-'));
  const certFileName = `SimpleNotificationService-${randomBytes(8).toString('hex')}.pem`;
  const keyPath = join(certDir, 'signing-key.pem.key');
  const certPath = join(certDir, certFileName);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', String(opts.days ?? 2), '-subj', `/CN=sns.${region}.amazonaws.com`,
  ], { stdio: 'ignore' });
  const keyPem = readFileSync(keyPath, 'utf8');
  rmSync(keyPath);
  const certUrl = `https://sns.${region}.amazonaws.com/${certFileName}`;

  function resign(body: SnsBody): SnsBody {
    const alg = body['SignatureVersion'] === '1' ? 'sha1' : 'sha256';
    body['Signature'] = sign(alg, Buffer.from(stringToSign(body), 'utf8'), keyPem).toString('base64');
    return body;
  }

  return {
    region,
    certDir,
    certFileName,
    certUrl,
    certPem: readFileSync(certPath, 'utf8'),
    notification(o) {
      const body: SnsBody = {
        Type: 'Notification',
        MessageId: o.messageId ?? randomUUID(),
        TopicArn: o.topicArn,
        ...(o.subject !== undefined ? { Subject: o.subject } : {}),
        Message: o.message,
        Timestamp: (o.timestamp ?? new Date()).toISOString(),
        SignatureVersion: String(o.version ?? 1),
        Signature: '',
        SigningCertURL: o.certUrl ?? certUrl,
        UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${o.topicArn}:${randomUUID()}`,
      };
      return resign(body);
    },
    confirmation(type, o) {
      const token = o.token ?? randomBytes(64).toString('hex');
      const body: SnsBody = {
        Type: type,
        MessageId: randomUUID(),
        Token: token,
        TopicArn: o.topicArn,
        Message: `You have chosen to subscribe to the topic ${o.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL:
          o.subscribeUrl ?? `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(o.topicArn)}&Token=${token}`,
        Timestamp: (o.timestamp ?? new Date()).toISOString(),
        SignatureVersion: String(o.version ?? 1),
        Signature: '',
        SigningCertURL: o.certUrl ?? certUrl,
      };
      return resign(body);
    },
    resign,
    cleanup() {
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}

/** Writes a PEM under `name` in a fresh temporary folder; for certDir tests with other certificates. */
export function writeCertDir(name: string, pem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-certdir-'));
  writeFileSync(join(dir, name), pem);
  return dir;
}
