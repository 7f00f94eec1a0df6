import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../../shared/policy/index.js';
import type { ConfigInput } from './config-schema.js';

/** Where the embedded default keeps its development credentials, inside the data dir. */
export function devDir(dataDir: string): string {
  return join(dataDir, 'dev');
}

/** Files of the development sender credentials (used by `npm run send:sample`). */
export function devCredentialPaths(dataDir: string): { sendgridPrivateKey: string; sendgridPublicKey: string; auditSecret: string } {
  const dir = devDir(dataDir);
  return {
    sendgridPrivateKey: join(dir, 'sendgrid-dev-private.pem'),
    sendgridPublicKey: join(dir, 'sendgrid-dev-public.b64'),
    auditSecret: join(dir, 'audit-dev-hmac.secret'),
  };
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * Creates (once) the development credentials the embedded default verifies against: a SendGrid-style
 * ECDSA P-256 key pair and an HMAC secret for audit events. They live in the data dir, readable only by
 * the owner, so a newcomer can sign requests with `npm run send:sample` without configuring anything.
 */
export function ensureDevCredentials(dataDir: string): { sendgridPublicKey: string; auditSecret: string } {
  const paths = devCredentialPaths(dataDir);
  mkdirSync(devDir(dataDir), { recursive: true, mode: 0o700 });
  if (!existsSync(paths.sendgridPrivateKey) || !existsSync(paths.sendgridPublicKey)) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeSecret(paths.sendgridPrivateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    writeFileSync(paths.sendgridPublicKey, publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
  }
  if (!existsSync(paths.auditSecret)) writeSecret(paths.auditSecret, randomBytes(32).toString('base64url'));
  return {
    sendgridPublicKey: readFileSync(paths.sendgridPublicKey, 'utf8').trim(),
    auditSecret: readFileSync(paths.auditSecret, 'utf8').trim(),
  };
}

/**
 * The configuration used when no file is given: loopback HTTP on 8787, local department keys, the
 * default policy, a SendGrid source `sendgrid` and an audit source `audit`, the admin API on loopback
 * 8788 with a local admin token, and no Kafka (the journal
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
  };
}
