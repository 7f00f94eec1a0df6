// The Java recipe with the AWS profiles departments really use: a role profile (role_arn + source_profile, through
// moto's STS AssumeRole) opens its sections; a legacy SSO profile whose token expired is locked sso_expired with the
// `aws sso login --profile` command, as in the kit. Both need the SDK's sts / sso / ssooidc modules on the classpath.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../shared/kms/moto-kms.js';
import { awsHome, sealEnvelopes } from '../shared/decrypt/fixtures.js';
import { buildJavaRecipe, runJavaRecipe } from './java-recipe.js';

const ACCOUNT = '555555555555';
const LEGACY_URL = 'https://sealpost-java.awsapps.com/start';
const COUNT = 3;

describe('Java recipe with role and SSO profiles (moto KMS and STS)', () => {
  let classpath: string;
  let brokers: string[];
  let moto: MotoServer;
  let aws: ReturnType<typeof awsHome>;
  const topic = uniqueTopic('java-profiles');
  const run = (profile: string) =>
    runJavaRecipe(classpath, ['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--profile', profile, '--account', ACCOUNT, '--from-beginning', '--until-end'], {
      HOME: aws.home,
      AWS_CONFIG_FILE: aws.configFile,
      AWS_SHARED_CREDENTIALS_FILE: aws.credentialsFile,
      AWS_ENDPOINT_URL_KMS: moto.endpoint,
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_REGION: MOTO_REGION,
    });

  before(async () => {
    classpath = buildJavaRecipe();
    ({ brokers } = await ensureKafka());
    moto = await startMoto();
    const key = await createKeyIn(moto.endpoint, ACCOUNT);
    const envelopes = await sealEnvelopes({ policy: { departments: { support: { keys: [{ kms: key }] } } }, count: COUNT, endpoint: moto.endpoint });
    const producer = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: envelopes.map((e) => ({ key: e.id, value: JSON.stringify(e) })) });
    await producer.disconnect();
    aws = awsHome({
      config: [
        '[profile base]', `region = ${MOTO_REGION}`,
        '[profile support-role]', `role_arn = arn:aws:iam::${ACCOUNT}:role/support-reader`, 'source_profile = base', `region = ${MOTO_REGION}`,
        '[profile sso-legacy]', `sso_start_url = ${LEGACY_URL}`, 'sso_region = eu-west-1', `sso_account_id = ${ACCOUNT}`, 'sso_role_name = Reader', `region = ${MOTO_REGION}`,
        '',
      ].join('\n'),
      credentials: '[base]\naws_access_key_id = AKIABASEBASEBASE\naws_secret_access_key = base-secret\n',
    });
    // The legacy SSO profile's token expired an hour ago (the SDK's cache: ~/.aws/sso/cache/sha1(start url).json).
    const cache = join(aws.home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, createHash('sha1').update(LEGACY_URL).digest('hex') + '.json'),
      JSON.stringify({ startUrl: LEGACY_URL, region: 'eu-west-1', accessToken: 'expired-token', expiresAt: new Date(Date.now() - 3600_000).toISOString() }),
    );
  });
  after(async () => {
    await moto?.stop();
    if (aws) rmSync(aws.home, { recursive: true, force: true });
  });

  test('a role_arn + source_profile profile assumes the role and opens every section', () => {
    const out = run('support-role');
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.lines.length, COUNT);
    for (const l of out.lines) {
      assert.equal(l.locked, undefined, l.locked?.message);
      assert.ok(Object.keys(l.fields ?? {}).length > 0, 'support opens its fields');
    }
  });

  test('a legacy SSO profile whose token expired: every record locked sso_expired, naming `aws sso login --profile`', () => {
    const out = run('sso-legacy');
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.lines.length, COUNT, 'every record still arrives');
    assert.deepEqual([...new Set(out.lines.map((l) => l.locked?.reason))], ['sso_expired'], out.lines[0]?.locked?.message);
    assert.ok(out.lines[0]!.locked!.message.includes('`aws sso login --profile sso-legacy`'), out.lines[0]!.locked!.message);
  });
});
