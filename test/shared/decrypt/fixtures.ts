// Shared fixtures for the decrypt and access tests: envelopes sealed by the real sealer, shared AWS
// files in a temp HOME, and IAM users in a moto account (moto's query API, as the AWS CLI would call it).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVELOPE_SCHEMA, type Envelope } from '../../../shared/envelope/index.js';
import { departmentMaterials } from '../../../shared/kms/index.js';
import type { PolicyInput } from '../../../shared/policy/index.js';
import { createSectionSealer } from '../../../shared/seal/index.js';
import { serviceKmsClients } from '../kms/moto-kms.js';

export const SOURCE = 'sg-main';

/** Personal fields per department for event `i` (not real people). */
export function fieldsFor(department: string, i: number): Record<string, unknown> {
  return department === 'finance' ? { 'invoice.amount': 100 + i, 'invoice.iban': `DE00TEST${i}` } : { email: `user${i}@example.com`, ip: `192.0.2.${i % 250}` };
}

/**
 * Seals `count` events, each with a section per department, through the real sealer and the service's
 * department materials (KMS via moto or local keys), and wraps them as envelopes.
 */
export async function sealEnvelopes(opts: {
  policy: Pick<PolicyInput, 'departments'>;
  count: number;
  endpoint?: string;
  localDir?: string;
  policyVersion?: number;
  idPrefix?: string;
}): Promise<Envelope[]> {
  const clients = opts.endpoint ? serviceKmsClients(opts.endpoint) : undefined;
  const m = departmentMaterials(opts.policy as never, { ...(opts.localDir ? { localDir: opts.localDir } : {}), ...(clients ? { kmsClients: clients } : {}) });
  const sealer = createSectionSealer({ materialsFor: m.materialsFor, limits: m.limits });
  const departments = Object.keys(opts.policy.departments);
  const policyVersion = opts.policyVersion ?? 1;
  try {
    const ids = Array.from({ length: opts.count }, (_, i) => `${opts.idPrefix ?? 'evt'}-${i}`);
    const inputs = ids.flatMap((id, i) => departments.map((department) => ({ id, department, source: SOURCE, policyVersion, fields: fieldsFor(department, i) })));
    const sealed = await sealer.sealMany(inputs);
    return ids.map((id, i) => ({
      schema: ENVELOPE_SCHEMA,
      id,
      source: SOURCE,
      kind: 'sendgrid',
      type: 'delivered',
      time: '2026-01-01T00:00:00.000Z',
      receivedAt: '2026-01-01T00:00:01.000Z',
      policyVersion,
      clear: { event: 'delivered' },
      sections: Object.fromEntries(departments.map((d, j) => [d, sealed[i * departments.length + j]!])),
    }));
  } finally {
    await sealer.close();
    m.close();
    clients?.destroy();
  }
}

/**
 * A temp HOME with ~/.aws/config and ~/.aws/credentials, pointed to by AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE (and HOME, for the SSO token cache). Per test file: env is per process.
 */
export function awsHome(files: { config: string; credentials: string }): { home: string; configFile: string; credentialsFile: string } {
  const home = mkdtempSync(join(tmpdir(), 'sealpost-aws-'));
  mkdirSync(join(home, '.aws'), { recursive: true });
  const configFile = join(home, '.aws', 'config');
  const credentialsFile = join(home, '.aws', 'credentials');
  writeFileSync(configFile, files.config);
  writeFileSync(credentialsFile, files.credentials, { mode: 0o600 });
  process.env.HOME = home;
  process.env.AWS_CONFIG_FILE = configFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
  return { home, configFile, credentialsFile };
}

/** A temp HOME (see awsHome) with one static-key profile per entry, all in `region`. */
export function staticProfilesHome(region: string, profiles: Record<string, { accessKeyId: string; secretAccessKey: string }>): { home: string; configFile: string; credentialsFile: string } {
  const names = Object.keys(profiles);
  return awsHome({
    config: [...names.flatMap((n) => [`[profile ${n}]`, `region = ${region}`]), ''].join('\n'),
    credentials: [...names.flatMap((n) => [`[${n}]`, `aws_access_key_id = ${profiles[n]!.accessKeyId}`, `aws_secret_access_key = ${profiles[n]!.secretAccessKey}`]), ''].join('\n'),
  });
}

/** Calls moto's IAM query API in `accountId` (no SDK for IAM in this repo); returns the XML answer. */
export async function motoIam(endpoint: string, accountId: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(endpoint + '/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-moto-account-id': accountId,
      // moto picks the service from the credential scope; the signature is not checked while auth is off.
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIAFIXTURE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto IAM ${params.Action} failed: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

/** Creates an IAM user with an inline policy and returns its access key (moto account `accountId`). */
export async function iamUser(endpoint: string, accountId: string, name: string, policy: unknown): Promise<{ accessKeyId: string; secretAccessKey: string; arn: string }> {
  await motoIam(endpoint, accountId, { Action: 'CreateUser', UserName: name });
  await motoIam(endpoint, accountId, { Action: 'PutUserPolicy', UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(policy) });
  const xml = await motoIam(endpoint, accountId, { Action: 'CreateAccessKey', UserName: name });
  const accessKeyId = /<AccessKeyId>([^<]+)</.exec(xml)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(xml)?.[1];
  if (!accessKeyId || !secretAccessKey) throw new Error('moto returned no access key');
  return { accessKeyId, secretAccessKey, arn: `arn:aws:iam::${accountId}:user/${name}` };
}

/** Turns moto's IAM enforcement on (every later request must be signed by a user whose policies allow it). */
export async function enforceIam(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  if (!res.ok) throw new Error(`moto reset-auth failed: ${res.status}`);
}
