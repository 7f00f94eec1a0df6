import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../../shared/policy/index.js';
import { ensureOwnerOnlyDir, loadOrCreateSecretFile, writeSecretFile } from '../../../shared/secret-files/index.js';
import { generateSendgridKeyPair } from '../dev/index.js';
import type { ConfigInput } from './config-schema.js';

/** Where the embedded default keeps its development credentials, inside the data dir. */
export function devDir(dataDir: string): string {
  return join(dataDir, 'dev');
}

/** Files of the development sender credentials (used by `npm run send:sample`). */
export function devCredentialPaths(dataDir: string): { sendgridPrivateKey: string; sendgridPublicKey: string; auditSecret: string; suppressionCheckSecret: string } {
  const dir = devDir(dataDir);
  return {
    sendgridPrivateKey: join(dir, 'sendgrid-dev-private.pem'),
    sendgridPublicKey: join(dir, 'sendgrid-dev-public.b64'),
    auditSecret: join(dir, 'audit-dev-hmac.secret'),
    suppressionCheckSecret: join(dir, 'suppression-check-dev-hmac.secret'),
  };
}

/**
 * Creates (once) the development credentials the embedded default verifies against: a SendGrid-style
 * ECDSA P-256 key pair, an HMAC secret for audit events and one for suppression checks. They live in the data dir, readable only by
 * the owner, so a newcomer can sign requests with `npm run send:sample` without configuring anything.
 */
export function ensureDevCredentials(dataDir: string): { sendgridPublicKey: string; auditSecret: string; suppressionCheckSecret: string } {
  const paths = devCredentialPaths(dataDir);
  ensureOwnerOnlyDir(devDir(dataDir));
  if (!existsSync(paths.sendgridPrivateKey) || !existsSync(paths.sendgridPublicKey)) {
    const { publicKey, privateKeyPem } = generateSendgridKeyPair();
    writeSecretFile(paths.sendgridPrivateKey, privateKeyPem);
    writeSecretFile(paths.sendgridPublicKey, publicKey);
  }
  const auditSecret = loadOrCreateSecretFile(paths.auditSecret, () => Buffer.from(randomBytes(32).toString('base64url')));
  const checkSecret = loadOrCreateSecretFile(paths.suppressionCheckSecret, () => Buffer.from(randomBytes(32).toString('base64url')));
  return {
    sendgridPublicKey: readFileSync(paths.sendgridPublicKey, 'utf8').trim(),
    auditSecret: auditSecret.bytes.toString('utf8').trim(),
    suppressionCheckSecret: checkSecret.bytes.toString('utf8').trim(),
  };
}

/**
 * The configuration used when no file is given: loopback HTTP on 8787, local department keys, the
 * default policy, a SendGrid source `sendgrid` and an audit source `audit`, the admin API on loopback
 * 8788 with a local admin token, suppression checks signed with a development secret, and no Kafka (the journal
 * keeps everything until SEALPOST_KAFKA_BROKERS or a config file names brokers).
 */
export function embeddedDefaultConfig(dataDir: string): ConfigInput {
  const creds = ensureDevCredentials(dataDir);
  return {
    listen: { host: '127.0.0.1', port: 8787 },
    admin: { listen: { host: '127.0.0.1', port: 8788 } },
    dataDir,
    sources: [
      { id: 'sendgrid', kind: 'sendgrid', verify: { publicKey: creds.sendgridPublicKey, maxAgeSeconds: 300 } },
      { id: 'audit', kind: 'events', verify: { hmacSecret: creds.auditSecret, maxAgeSeconds: 300 } },
    ],
    policy: DEFAULT_POLICY,
    // `npm run check:suppression` signs its checks with this development secret.
    suppressions: { check: { verify: { hmacSecret: creds.suppressionCheckSecret } } },
  };
}
