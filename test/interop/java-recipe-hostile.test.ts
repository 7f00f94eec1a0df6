// The Java recipe (docs/recipes/java) on hostile records: moved, re-sealed, altered and foreign sections and a record
// that is no envelope are each locked with their reason, per record, and the consumer keeps going.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import kafkajs from 'kafkajs';
import { sectionContext, type Envelope } from '../../shared/envelope/index.js';
import { localKeyring } from '../../shared/seal/index.js';
import { ensureKafka, readAll, uniqueTopic } from '../support/kafka.js';
import { SEED_BATCH, startTestService, type TestService } from '../support/ingest.js';
import { departmentKeyring, openSection } from '../support/local-decrypt.js';
import { buildJavaRecipe, runJavaRecipe } from './java-recipe.js';

const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

let classpath: string;
let brokers: string[];

describe('Java recipe on hostile v1 records (subject keys off)', () => {
  // v1 records (subject keys off), as a topic written before subject keys holds them: the sections below are moved,
  // re-sealed and altered under the department keys themselves. Hostile v2 records: recipes-agree-v2.test.ts.
  let svc: TestService;
  let sealed: Envelope[];
  before(async () => {
    classpath = buildJavaRecipe();
    ({ brokers } = await ensureKafka());
    svc = await startTestService({ brokers, overrides: { subjectKeys: { enabled: false } } });
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    sealed = (await readAll(brokers, svc.config.sources[0]!.topic!, 2, 60_000)).map((r) => JSON.parse(r.value!.toString()) as Envelope);
    assert.equal(sealed[0]!.schema, 'sealpost.envelope/1', 'v1: no section under a subject key');
  });
  after(async () => svc?.stop());
  /** What the stock JavaScript ESDK opens from a v1 support section with the department's key. */
  const supportFields = async (e: Envelope) => (await openSection(departmentKeyring(svc.dataDir, 'support'), e.sections.support!)).plaintext.fields;

  test('a moved, re-sealed, altered or foreign section and a record that is no envelope are locked with their reason, per record, and reading goes on', async () => {
    const [a, b] = [sealed[0]!, sealed[1]!];
    const supportKey = readFileSync(join(svc.dataDir, 'keys', 'support.key'));
    const resealed = await encrypt(localKeyring('support', supportKey), Buffer.from(JSON.stringify({ id: `${a.id}-ctx`, department: 'support', fields: {} })), {
      encryptionContext: sectionContext('security', a.source, a.policyVersion),
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
    });
    const altered = Buffer.from(a.sections.support!, 'base64');
    altered.writeUInt8(altered.readUInt8(altered.length - 40) ^ 1, altered.length - 40);
    const crafted: [Envelope, string][] = [
      [{ ...a, id: `${a.id}-moved`, sections: { support: b.sections.support! } }, 'id_mismatch'],
      [{ ...a, id: `${a.id}-ctx`, sections: { support: resealed.result.toString('base64') } }, 'context_mismatch'],
      [{ ...a, id: `${a.id}-altered`, sections: { support: altered.toString('base64') } }, 'tampered'],
      // The key folder holds every department's key (as the kit and the Python recipe load it): the security
      // section opens, and its context names the department it was moved from.
      [{ ...a, id: `${a.id}-foreign`, sections: { support: a.sections.security! } }, 'context_mismatch'],
      [a, 'open'],
    ];
    const malformed = { value: 'not an envelope', at: 4 };
    const topic = uniqueTopic('java-recipe-locked');
    const kafka = new kafkajs.Kafka({ clientId: 'java-recipe-test', brokers, logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const values = crafted.map(([e]) => JSON.stringify(e));
      values.splice(malformed.at, 0, malformed.value);
      await producer.send({ topic, messages: values.map((value) => ({ key: 'k', value })) });
    } finally {
      await producer.disconnect();
    }
    const out = runJavaRecipe(classpath, ['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--keys', join(svc.dataDir, 'keys'), '--from-beginning', '--until-end']);
    assert.equal(out.status, 0, out.stderr);
    const expected: [string | null, string][] = crafted.map(([e, reason]) => [e.id, reason]);
    expected.splice(malformed.at, 0, [null, 'malformed']);
    assert.deepEqual(
      out.lines.map((l) => [l.id, l.locked?.reason ?? 'open']),
      expected,
    );
    assert.deepEqual({ ...out.lines[malformed.at]!, locked: undefined }, { id: null, type: null, time: null, source: null, partition: out.lines[0]!.partition, offset: String(malformed.at), clear: {}, locked: undefined });
    for (const l of out.lines.filter((x) => x.locked)) assert.ok(l.locked!.message.length > 20 && !('fields' in l), 'a message, and no fields');
    assert.deepEqual(out.lines.at(-1)!.fields, await supportFields(a), 'the next record opens');
  });
});
