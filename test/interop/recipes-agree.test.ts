// The Python recipe (docs/recipes/python/consume.py: stock aws-encryption-sdk + confluent-kafka), the Java recipe
// (docs/recipes/java) and the kit's CLI read the same topic on the real broker and print the same events, field for field: the seed batch through the real
// ingest service, plus a section moved to another department, a section copied to another envelope, a flipped byte,
// a section that is not a string, a genuine section in an envelope lacking source/policyVersion, a KMS-sealed record read
// with local keys only, a record that is not an envelope, and a duplicate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { rmSync } from 'node:fs';
import { ensureKafka, readAll, uniqueTopic } from '../support/kafka.js';
import { SEED_BATCH, startTestService, type TestService } from '../support/ingest.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../shared/kms/moto-kms.js';
import { staticProfilesHome, enforceIam, iamUser, sealEnvelopes } from '../shared/decrypt/fixtures.js';
import { runConsumeCli } from '../shared/consumer/run-cli.js';
import { buildJavaRecipe, runJavaRecipe } from './java-recipe.js';
import { runPythonRecipe as runRecipe, type Line } from './python-recipe.js';

const SEED = JSON.parse(SEED_BATCH.toString('utf8')) as Array<Record<string, unknown>>;

/** The lines keyed by position, without the worded message (each implementation words its own). */
function comparable(lines: Line[]): Map<string, Line> {
  return new Map(
    lines.map((l) => {
      const locked = l.locked as { reason: string } | undefined;
      const { locked: _drop, ...rest } = l;
      return [`${l.partition}:${l.offset}`, locked ? { ...rest, locked: locked.reason } : rest];
    }),
  );
}

describe('the Python and Java recipes and the kit agree field for field (real broker, local keys)', () => {
  let brokers: string[];
  let svc: TestService;
  let topic: string;
  let keys: string;
  let classpath: string;
  let moto: MotoServer;

  before(async () => {
    classpath = buildJavaRecipe();
    moto = await startMoto();
    ({ brokers } = await ensureKafka());
    // v1 records (subject keys off), as a topic written before subject keys holds them: the hostile cases below are
    // built from these. The recipes on v2 records, forgotten people included: recipes-agree-v2.test.ts.
    svc = await startTestService({ brokers, overrides: { subjectKeys: { enabled: false } } });
    topic = svc.config.sources.find((s) => s.id === 'sendgrid')!.topic!;
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    const records = await readAll(brokers, topic, SEED.length);
    assert.equal(records.length, SEED.length);
    keys = join(svc.dataDir, 'keys');
    // Hostile and odd records, as an attacker with write access to the topic (or a bug) could produce.
    const envs = records.map((r) => JSON.parse(r.value!.toString('utf8')) as { id: string; sections: Record<string, string> });
    const withSupport = envs.filter((e) => e.sections.support);
    const [a, b, c] = [withSupport[0]!, withSupport[1]!, withSupport[2]!];
    const moved = { ...a, id: `moved-${a.id}`, sections: { support: a.sections.security!, security: a.sections.security! } };
    const copied = { ...b, id: `copied-${b.id}`, sections: { support: c.sections.support!, security: c.sections.security! } };
    const flipped = Buffer.from(c.sections.support!, 'base64');
    flipped[flipped.length - 20]! ^= 1;
    const altered = { ...c, id: `altered-${c.id}`, sections: { support: flipped.toString('base64') } };
    // A section that is there but not a string: each department's is altered, none reads as "nothing granted".
    const nonString = { ...a, id: `nonstring-${a.id}`, sections: { support: 42, security: { sealed: true }, analytics: null } };
    // A genuine section copied into an envelope that lacks source and policyVersion: a context mismatch, not a crash.
    const { source: _source, policyVersion: _version, ...bare } = c as typeof c & { source?: string; policyVersion?: number };
    const sourceless = { ...bare, id: `sourceless-${c.id}`, sections: { support: c.sections.support! } };
    // Sealed under a KMS key, read with local keys only: key_not_found everywhere (sealed under KMS: read with --profile).
    const kmsKey = await createKeyIn(moto.endpoint, '555555555555');
    const [kmsSealed] = await sealEnvelopes({ policy: { departments: { support: { keys: [{ kms: kmsKey }] }, security: { keys: [{ kms: kmsKey }] } } }, count: 1, endpoint: moto.endpoint, idPrefix: 'kms-sealed' });
    const producer = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [moved, copied, altered, nonString, sourceless, kmsSealed!].map((e) => ({ key: 'x', value: JSON.stringify(e), partition: 0 })).concat([
        { key: 'x', value: 'not json', partition: 0 },
        // A repeat of an id already delivered, in the same partition (as a forwarder retry would be).
        { key: 'x', value: records[0]!.value!.toString('utf8'), partition: records[0]!.partition },
      ]),
    });
    await producer.disconnect();
  });
  after(async () => {
    await svc?.stop();
    await moto?.stop();
  });

  for (const department of ['support', 'security', 'analytics']) {
    test(`${department}: same events, same fields, same lock reasons in the kit, Python and Java`, async () => {
      const args = ['--brokers', brokers.join(','), '--topic', topic, '--department', department, '--from-beginning', '--until-end', '--keys', keys];
      const [kit, py] = await Promise.all([runConsumeCli(args), runRecipe(args)]);
      assert.equal(kit.code, 0, kit.stderr);
      assert.equal(py.code, 0, py.stderr);
      assert.equal(kit.lines.length, SEED.length + 7, 'the seed, 5 hostile records, 1 KMS-sealed and 1 malformed; the duplicate dropped');
      const nonString = kit.lines.find((l) => String(l.id).startsWith('nonstring-'))!;
      assert.equal((nonString.locked as { reason: string } | undefined)?.reason, 'tampered', `${department}: a non-string section is tampered`);
      assert.deepEqual(comparable(py.lines), comparable(kit.lines));
      for (const l of py.lines) assert.deepEqual(Object.keys(l), Object.keys(kit.lines.find((k) => k.offset === l.offset && k.partition === l.partition)!), 'same key order');
      const java = runJavaRecipe(classpath, args);
      assert.equal(java.status, 0, java.stderr);
      assert.deepEqual(comparable(java.lines as unknown as Line[]), comparable(kit.lines), 'the Java recipe prints the same events');
      if (department === 'support') {
        const reason = (prefix: string) => (kit.lines.find((l) => String(l.id).startsWith(prefix))!.locked as { reason: string }).reason;
        assert.equal(reason('moved-'), 'context_mismatch');
        assert.equal(reason('copied-'), 'id_mismatch');
        assert.equal(reason('altered-'), 'tampered');
        assert.equal(reason('sourceless-'), 'context_mismatch');
        assert.equal((kit.lines.find((l) => l.id === null)!.locked as { reason: string }).reason, 'malformed');
      }
      if (department !== 'analytics') {
        const kms = kit.lines.find((l) => String(l.id).startsWith('kms-sealed'))!.locked as { reason: string; message: string };
        assert.equal(kms.reason, 'key_not_found');
        assert.match(kms.message, /sealed under a KMS key.*--profile P --account ID/);
      }
    });
  }
});

describe('the Python recipe and the kit agree with KMS keys (moto, IAM enforced)', () => {
  let moto: MotoServer;
  let brokers: string[];
  let home: string;
  let topic: string;
  const ACCOUNT = '444444444444';

  before(async () => {
    ({ brokers } = await ensureKafka());
    moto = await startMoto();
    const key = await createKeyIn(moto.endpoint, ACCOUNT);
    const envelopes = await sealEnvelopes({ policy: { departments: { support: { keys: [{ kms: key }] } } }, count: 6, endpoint: moto.endpoint });
    const reader = await iamUser(moto.endpoint, ACCOUNT, 'reader', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'sts:GetCallerIdentity'], Resource: '*' }] });
    const intern = await iamUser(moto.endpoint, ACCOUNT, 'intern', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:GetCallerIdentity'], Resource: '*' }] });
    ({ home } = staticProfilesHome(MOTO_REGION, { reader, intern }));
    await enforceIam(moto.endpoint);
    topic = uniqueTopic('recipe-kms');
    const producer = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: envelopes.map((e) => ({ key: e.id, value: JSON.stringify(e) })) });
    await producer.disconnect();
  });
  after(async () => {
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  for (const [profile, expected] of [['reader', 'opened'], ['intern', 'access_denied']] as const) {
    test(`profile ${profile}: ${expected} on every record, in both`, async () => {
      const common = ['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--from-beginning', '--until-end', '--profile', profile, '--account', ACCOUNT];
      const kit = await runConsumeCli([...common, '--region', MOTO_REGION, '--kms-endpoint', moto.endpoint, '--sts-endpoint', moto.endpoint]);
      const py = await runRecipe(common, { AWS_ENDPOINT_URL_KMS: moto.endpoint, AWS_ENDPOINT_URL_STS: moto.endpoint, AWS_DEFAULT_REGION: MOTO_REGION });
      assert.equal(kit.code, 0, kit.stderr);
      assert.equal(py.code, 0, py.stderr);
      assert.equal(kit.lines.length, 6);
      assert.deepEqual(comparable(py.lines), comparable(kit.lines));
      for (const l of kit.lines) assert.equal(expected === 'opened' ? Object.keys(l).at(-1) : (l.locked as { reason: string }).reason, expected === 'opened' ? 'fields' : expected);
    });
  }
});
