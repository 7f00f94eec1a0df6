// The Java recipe (docs/recipes/java: kafka-clients + the stock aws-encryption-sdk-java from Maven Central) reads the
// seed batch that a real ingest service sealed into the real broker — v2 records, as users get by default: sections
// under subject keys on the service's keys topic (--keys-topic) — as each department, and prints the fields the stock
// JavaScript ESDK opens from the same sections in the documented two steps, with local keys and with KMS keys (moto).
// Every record still arrives when a key is missing or refused. Hostile records: java-recipe-hostile.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import { KmsKeyringNode, type KeyringNode } from '@aws-crypto/client-node';
import type { Envelope } from '../../shared/envelope/index.js';
import { DEFAULT_POLICY } from '../../shared/policy/index.js';
import { ensureKafka, readAll } from '../support/kafka.js';
import { MOTO_DEFAULT_ACCOUNT, MOTO_REGION, motoDefaultCredentials, startMoto, type MotoServer } from '../support/moto.js';
import { SEED_BATCH, startTestService, type TestService } from '../support/ingest.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';
import type { SubjectKeyRecord } from '../../shared/subject-keys/index.js';
import { awsHome, enforceIam, iamUser } from '../shared/decrypt/fixtures.js';
import { buildJavaRecipe, runJavaRecipe, type RecipeLine } from './java-recipe.js';

const seed = JSON.parse(SEED_BATCH.toString()) as Record<string, unknown>[];
const DEPARTMENTS = ['support', 'security', 'analytics'] as const;

interface Sealed {
  envelope: Envelope;
  partition: number;
  offset: string;
}

/** The service's records and the key records (from its keys topic) of the subject keys they name. */
interface Seeded {
  sealed: Sealed[];
  keys: Map<string, SubjectKeyRecord>;
}

/** Posts the seed batch through the service and reads the 14 sealed records back from the broker, with their subject keys. */
async function sealSeed(svc: TestService, brokers: string[]): Promise<Seeded> {
  assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
  const records = await readAll(brokers, svc.config.sources[0]!.topic!, seed.length, 60_000);
  assert.equal(records.length, seed.length);
  const sealed = records.map((r) => ({ envelope: JSON.parse(r.value!.toString()) as Envelope, partition: r.partition, offset: r.offset }));
  return { sealed, keys: await readSubjectKeys(brokers, svc.config.subjectKeys.topic, sealed.map((s) => s.envelope)) };
}

/** Every record is v2 with each section under a subject key: what the recipe is shown to read is what users get. */
function assertV2(sealed: Sealed[]): void {
  for (const { envelope } of sealed) {
    assert.equal(envelope.schema, 'sealpost.envelope/2');
    assert.deepEqual(Object.keys(envelope.keys ?? {}).sort(), Object.keys(envelope.sections).sort(), 'every section under a subject key');
  }
}

/** What the stock JavaScript ESDK opens from the department's section (two steps under a subject key; {} when none). */
async function stockFields(keyring: KeyringNode, envelope: Envelope, department: string, keys: ReadonlyMap<string, SubjectKeyRecord>): Promise<Record<string, unknown>> {
  if (!envelope.sections[department]) return {};
  return (await openEnvelopeSection(keyring, envelope, department, keys)).plaintext.fields as Record<string, unknown>;
}

/** The recipe's lines agree with the records: same envelope, same place, the stock SDK's fields. */
async function assertAgrees(lines: RecipeLine[], { sealed, keys }: Seeded, keyring: KeyringNode | undefined, department: string): Promise<void> {
  assert.equal(lines.length, sealed.length, 'one line per event');
  for (const { envelope, partition, offset } of sealed) {
    const line = lines.find((l) => l.id === envelope.id);
    assert.ok(line, `a line for every event`);
    assert.deepEqual(
      { type: line.type, time: line.time, source: line.source, partition: line.partition, offset: line.offset, clear: line.clear },
      { type: envelope.type, time: envelope.time, source: envelope.source, partition, offset, clear: envelope.clear },
    );
    assert.equal(line.locked, undefined, line.locked?.message);
    assert.deepEqual(line.fields, keyring ? await stockFields(keyring, envelope, department, keys) : {});
  }
}

let classpath: string;
let brokers: string[];
before(async () => {
  classpath = buildJavaRecipe();
  ({ brokers } = await ensureKafka());
});

describe('Java recipe with local keys', () => {
  let svc: TestService;
  let seeded: Seeded;
  /** The recipe's arguments for the service's records and keys topic, as `department`. */
  const read = (department: string, ...more: string[]) =>
    ['--brokers', brokers.join(','), '--topic', svc.config.sources[0]!.topic!, '--keys-topic', svc.config.subjectKeys.topic, '--department', department, ...more];
  before(async () => {
    svc = await startTestService({ brokers });
    seeded = await sealSeed(svc, brokers);
    assertV2(seeded.sealed);
  });
  after(async () => svc?.stop());

  test('each department reads the seed batch: support its fields, security every field, analytics the clear part only', async () => {
    const lines: Record<string, RecipeLine[]> = {};
    for (const department of DEPARTMENTS) {
      const out = runJavaRecipe(classpath, read(department, '--keys', join(svc.dataDir, 'keys'), '--from-beginning', '--until-end'));
      assert.equal(out.status, 0, out.stderr);
      await assertAgrees(out.lines, seeded, department === 'analytics' ? undefined : departmentKeyring(svc.dataDir, department), department);
      lines[department] = out.lines;
    }
    const first = seeded.sealed[0]!.envelope;
    const original = seed.find((e) => e.sg_event_id === first.id)!;
    const line = lines.support!.find((l) => l.id === first.id)!;
    assert.equal(line.fields!.email, original.email, 'the sealed value comes back');
    assert.equal('send_id' in line.fields!, false, 'support reads only its granted fields');
  });

  test('with --group it commits what it printed: a second run resumes after it and prints nothing again', async () => {
    const args = read('support', '--keys', join(svc.dataDir, 'keys'), '--group', `java-support-${Date.now()}`, '--until-end');
    const first = runJavaRecipe(classpath, args);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.lines.length, seeded.sealed.length);
    assert.ok(first.lines.every((l) => !l.locked), 'each opened');
    const again = runJavaRecipe(classpath, args);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.lines, [], 'resumed from the committed offsets');
  });

  test('an unreachable broker is a clear error and exit 3, nothing on stdout', () => {
    const out = runJavaRecipe(classpath, ['--brokers', '127.0.0.1:1', '--topic', 'any', '--department', 'support', '--keys', join(svc.dataDir, 'keys'), '--from-beginning', '--until-end']);
    assert.equal(out.status, 3);
    assert.deepEqual(out.lines, []);
    assert.match(out.stderr, /department-consumer: Kafka at 127\.0\.0\.1:1 failed: .*check --brokers and that the broker is up/);
    assert.ok(out.stderr.split('\n').length < 60, `stderr stays short (warnings only):\n${out.stderr.slice(0, 2000)}`);
  });

  test("without the department's key file (none at all, or only another department's), every record still arrives, each saying not_granted", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealpost-no-keys-'));
    const run = () => runJavaRecipe(classpath, read('support', '--keys', dir, '--from-beginning', '--until-end'));
    try {
      const none = run();
      assert.equal(none.status, 0, none.stderr);
      assert.equal(none.lines.length, seeded.sealed.length);
      assert.deepEqual([...new Set(none.lines.map((l) => l.locked?.reason))], ['not_granted']);
      assert.match(none.lines[0]!.locked!.message, /support\.key missing\); copy it from the ingest service.s key folder/);
      copyFileSync(join(svc.dataDir, 'keys', 'security.key'), join(dir, 'security.key'));
      const other = run();
      assert.equal(other.status, 0, other.stderr);
      assert.deepEqual([...new Set(other.lines.map((l) => l.locked?.reason))], ['not_granted']);
      assert.match(other.lines[0]!.locked!.message, /a local key this consumer does not hold/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Java recipe with KMS keys (moto)', () => {
  let moto: MotoServer;
  let svc: TestService;
  let seeded: Seeded;
  const keys: Record<string, string> = {};
  const env = (): Record<string, string> => ({ AWS_ENDPOINT_URL_KMS: moto.endpoint, AWS_REGION: MOTO_REGION, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  before(async () => {
    moto = await startMoto();
    const kms = new KMSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() });
    for (const d of DEPARTMENTS) keys[d] = (await kms.send(new CreateKeyCommand({ Description: d }))).KeyMetadata!.Arn!;
    kms.destroy();
    // The service seals through the default credential chain, as in production.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: MOTO_REGION });
    const policy = structuredClone(DEFAULT_POLICY) as { departments: Record<string, { keys: unknown[] }> };
    for (const d of DEPARTMENTS) policy.departments[d]!.keys = [{ kms: keys[d] }];
    svc = await startTestService({ brokers, overrides: { policy: policy as never, kms: { region: MOTO_REGION, endpoint: moto.endpoint } } });
    seeded = await sealSeed(svc, brokers);
    assertV2(seeded.sealed);
  });
  after(async () => {
    await svc?.stop();
    await moto?.stop();
  });

  test('support (its key ARN) and security (a profile, KMS discovery limited to the account) open their sections; without credentials every record is locked no_credentials and all still arrive', async () => {
    const topic = svc.config.sources[0]!.topic!;
    const keysTopic = svc.config.subjectKeys.topic;
    const aws = awsHome({ config: `[profile reader]\nregion = ${MOTO_REGION}\n`, credentials: '[reader]\naws_access_key_id = testing\naws_secret_access_key = testing\n' });
    const { AWS_ACCESS_KEY_ID: _i, AWS_SECRET_ACCESS_KEY: _s, ...endpointOnly } = env();
    const profileEnv = { ...endpointOnly, AWS_CONFIG_FILE: aws.configFile, AWS_SHARED_CREDENTIALS_FILE: aws.credentialsFile };
    const how: Record<string, [string[], Record<string, string>]> = {
      support: [['--kms-key', keys.support!], env()],
      security: [['--profile', 'reader', '--account', MOTO_DEFAULT_ACCOUNT], profileEnv],
    };
    for (const department of ['support', 'security']) {
      const [keyArgs, keyEnv] = how[department]!;
      const out = runJavaRecipe(classpath, ['--brokers', brokers.join(','), '--topic', topic, '--keys-topic', keysTopic, '--department', department, ...keyArgs, '--from-beginning', '--until-end'], keyEnv);
      assert.equal(out.status, 0, out.stderr);
      const keyring = new KmsKeyringNode({ keyIds: [keys[department]!], clientProvider: () => new KMS({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() }) });
      await assertAgrees(out.lines, seeded, keyring, department);
    }
    const elsewhere = runJavaRecipe(classpath, ['--brokers', brokers.join(','), '--topic', topic, '--keys-topic', keysTopic, '--department', 'security', '--profile', 'reader', '--account', '111111111111', '--from-beginning', '--until-end'], profileEnv);
    assert.equal(elsewhere.status, 0, elsewhere.stderr);
    assert.deepEqual([...new Set(elsewhere.lines.map((l) => l.locked?.reason))], ['key_not_found'], 'discovery never asks about a key outside --account');
    rmSync(aws.home, { recursive: true, force: true });
    const out = runJavaRecipe(classpath, ['--brokers', brokers.join(','), '--topic', topic, '--keys-topic', keysTopic, '--department', 'support', '--kms-key', keys.support!, '--from-beginning', '--until-end'], endpointOnly);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.lines.length, seeded.sealed.length, 'every record still arrives, with its clear part');
    assert.deepEqual([...new Set(out.lines.map((l) => l.locked?.reason))], ['no_credentials']);
  });

  test('a user without kms:Decrypt gets access_denied on every record, saying what to ask for (IAM enforced: last test)', async () => {
    const intern = await iamUser(moto.endpoint, MOTO_DEFAULT_ACCOUNT, 'intern', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:DescribeKey'], Resource: '*' }] });
    await enforceIam(moto.endpoint);
    const out = runJavaRecipe(
      classpath,
      ['--brokers', brokers.join(','), '--topic', svc.config.sources[0]!.topic!, '--keys-topic', svc.config.subjectKeys.topic, '--department', 'support', '--kms-key', keys.support!, '--from-beginning', '--until-end'],
      { ...env(), AWS_ACCESS_KEY_ID: intern.accessKeyId, AWS_SECRET_ACCESS_KEY: intern.secretAccessKey },
    );
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.lines.length, seeded.sealed.length, 'every record still arrives, with its clear part');
    assert.deepEqual([...new Set(out.lines.map((l) => l.locked?.reason))], ['access_denied'], JSON.stringify(out.lines[0]?.locked));
    assert.match(out.lines[0]!.locked!.message, /ask for kms:Decrypt/);
  });
});
