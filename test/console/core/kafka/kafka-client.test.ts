import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKafkaConfig, type KafkaConnection } from '../../../../electron/core/kafka/kafka-client.js';
import { kafkaConnectionSchema } from '../../../../shared/console-api/schemas.js';

const conn = (extra: object): KafkaConnection => kafkaConnectionSchema.parse({ name: 'c', brokers: ['b-1:9096'], ...extra });

test('no auth, no TLS by default', () => {
  const cfg = buildKafkaConfig(conn({}), undefined);
  assert.equal(cfg.ssl, false);
  assert.equal(cfg.sasl, undefined);
  assert.deepEqual(cfg.brokers, ['b-1:9096']);
});

test('SCRAM takes the typed password first, else the saved one, else says it needs one', () => {
  const typed = buildKafkaConfig(conn({ auth: { kind: 'scram-sha-512', username: 'ops', password: 'typed' } }), 'saved');
  assert.deepEqual(typed.sasl, { mechanism: 'scram-sha-512', username: 'ops', password: 'typed' });
  const saved = buildKafkaConfig(conn({ auth: { kind: 'plain', username: 'ops' } }), 'saved');
  assert.deepEqual(saved.sasl, { mechanism: 'plain', username: 'ops', password: 'saved' });
  assert.throws(() => buildKafkaConfig(conn({ auth: { kind: 'plain', username: 'ops' } }), undefined), { code: 'SP_CONSOLE_NO_PASSWORD' });
});

test('TLS keeps certificate checks on unless turned off, with an extra CA', () => {
  const cfg = buildKafkaConfig(conn({ tls: { enabled: true, ca: '-----BEGIN CERTIFICATE-----' } }), undefined);
  assert.deepEqual(cfg.ssl, { rejectUnauthorized: true, ca: ['-----BEGIN CERTIFICATE-----'] });
});

test('MSK IAM forces TLS and signs an OAUTHBEARER token with the chosen profile and region', async () => {
  const asked: object[] = [];
  const cfg = buildKafkaConfig(conn({ auth: { kind: 'msk-iam', profile: 'ops-sso', region: 'eu-west-1' } }), undefined, async (o) => {
    asked.push(o);
    return { token: 'signed-token', expiryTime: Date.now() + 900_000 };
  });
  assert.deepEqual(cfg.ssl, { rejectUnauthorized: true });
  const sasl = cfg.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
  assert.equal(sasl.mechanism, 'oauthbearer');
  assert.deepEqual(await sasl.oauthBearerProvider(), { value: 'signed-token' });
  assert.deepEqual(asked, [{ profile: 'ops-sso', region: 'eu-west-1' }]);
});

test('the real MSK signer builds a SigV4 token from static credentials of a profile', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sp-aws-'));
  const saved = { ...process.env };
  try {
    writeFileSync(join(dir, 'credentials'), '[msk-test]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n');
    writeFileSync(join(dir, 'config'), '[profile msk-test]\nregion = eu-west-1\n');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    const { signMskToken } = await import('../../../../electron/core/kafka/kafka-client.js');
    const { token } = await signMskToken({ profile: 'msk-test', region: 'eu-west-1' });
    const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
    assert.equal(url.hostname, 'kafka.eu-west-1.amazonaws.com');
    assert.equal(url.searchParams.get('Action'), 'kafka-cluster:Connect');
    assert.match(url.searchParams.get('X-Amz-Credential') ?? '', /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
    assert.match(url.searchParams.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
  } finally {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
