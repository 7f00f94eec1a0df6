// Crypto-shredding, write side, end to end: the seed batch through the real service and broker, then every
// section opened in the two documented steps with the stock ESDK only; and, against moto, many new subjects
// sealed with a constant handful of KMS calls.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import kafkajs from 'kafkajs';
import type { Envelope } from '../../shared/envelope/index.js';
import { DEFAULT_POLICY } from '../../shared/policy/index.js';
import { parseKeysTopicRecord, subjectKeyContext, type SubjectKeyPlaintext } from '../../shared/subject-keys/index.js';
import { sourceTable } from '../../ingest-service/src/config/source-table.js';
import { startWorkerExpander } from '../../ingest-service/src/expand/index.js';
import { ensureKafka, readAll } from '../support/kafka.js';
import { MOTO_REGION, motoDefaultCredentials, startMoto, type MotoServer } from '../support/moto.js';
import { SEED_BATCH, startTestService, tempDataDir, testConfig, type TestService } from '../support/ingest.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';

const seed = JSON.parse(SEED_BATCH.toString()) as Record<string, unknown>[];
const addresses = [...new Set(seed.map((e) => e.email as string))];

describe('subject keys through the real service and broker', () => {
  let svc: TestService;
  let brokers: string[];
  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startTestService({ brokers });
  });
  after(async () => svc?.stop());

  it('the seed batch: one key per (subject, department) on a compacted topic, every section opened in two stock steps', async () => {
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    const records = await readAll(brokers, svc.config.sources[0]!.topic!, seed.length, 30_000);
    const envelopes = records.map((r) => JSON.parse(r.value!.toString()) as Envelope);
    const keys = await readSubjectKeys(brokers, svc.config.subjectKeys.topic, envelopes);
    assert.equal(keys.size, addresses.length * 2, 'support and security keys of each recipient, each made once');
    const bySubject = new Map<string, string>();
    const keyring = { support: departmentKeyring(svc.dataDir, 'support'), security: departmentKeyring(svc.dataDir, 'security') };
    for (const env of envelopes) {
      const seen = bySubject.get(env.recipient!);
      assert.ok(!seen || seen === JSON.stringify(env.keys), 'a repeated subject is sealed under the same keys');
      bySubject.set(env.recipient!, JSON.stringify(env.keys));
      const original = seed.find((e) => e.sg_event_id === env.id)!;
      for (const d of ['support', 'security'] as const) {
        const { plaintext } = await openEnvelopeSection(keyring[d], env, d, keys);
        assert.equal(plaintext.id, env.id);
        assert.equal(plaintext.fields.email, original.email);
      }
    }
    for (const record of keys.values()) for (const a of addresses) assert.ok(!JSON.stringify(record).includes(a), 'no address in a key record');

    const admin = new kafkajs.Kafka({ clientId: 'sealpost-test', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: svc.config.subjectKeys.topic, configNames: ['cleanup.policy'] }],
    });
    await admin.disconnect();
    assert.equal(described.resources[0]!.configEntries[0]!.configValue, 'compact');
  });

  it('a later batch about the same recipients makes no new key and sends no key record again', async () => {
    const again = seed.map((e) => ({ ...e, sg_event_id: `again-${e.sg_event_id as string}` }));
    assert.equal((await svc.postSendgrid(JSON.stringify(again))).status, 200);
    const records = await readAll(brokers, svc.config.sources[0]!.topic!, seed.length * 2, 30_000);
    assert.equal(records.length, seed.length * 2);
    const keyTopic = await readAll(brokers, svc.config.subjectKeys.topic, addresses.length * 2 + 1, 3_000);
    assert.equal(keyTopic.length, addresses.length * 2, 'exactly the first batch’s key records');
  });
});

describe('subject keys under KMS department keys (moto)', () => {
  let moto: MotoServer;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => moto?.stop());

  it('three thousand new subjects cost one KMS call per department, and the key records open with the stock KMS keyring', async () => {
    const kms = new KMSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() });
    const arns: Record<string, string> = {};
    for (const d of ['support', 'security', 'analytics']) arns[d] = (await kms.send(new CreateKeyCommand({ Description: d }))).KeyMetadata!.Arn!;
    kms.destroy();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: MOTO_REGION });
    const policy = structuredClone(DEFAULT_POLICY);
    for (const d of Object.keys(arns)) policy.departments[d]!.keys = [{ kms: arns[d]! }];
    const dataDir = tempDataDir();
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const { config } = testConfig({ dataDir, overrides: { policy, kms: { region: MOTO_REGION, endpoint: moto.endpoint } } });
    const x = await startWorkerExpander(config, sourceTable(config), { workers: 1 });
    try {
      let keyRecords = 0;
      let sample: { record: Buffer; subject: string } | undefined;
      for (let batch = 0; batch < 6; batch++) {
        const events = Array.from({ length: 500 }, (_, i) => ({ email: `new${batch}-${i}@example.com`, event: 'delivered', timestamp: 1, sg_event_id: `kms-${batch}-${i}` }));
        const res = await x.expand({ seq: batch + 1, source: 'sendgrid', receivedAt: Date.now(), payload: Buffer.from(JSON.stringify(events)) });
        assert.equal(res.records.length, 500);
        keyRecords += res.keyRecords!.length;
        x.keyRecordsProduced(res.keyRecords!);
        const first = res.keyRecords!.find((k) => k.key.includes('/support/'))!;
        sample ??= { record: first.value, subject: first.key.split('/')[1]! };
      }
      assert.equal(keyRecords, 6000, 'a support and a security key per new subject');
      const stats = x.stats();
      assert.equal(stats.subjectKeysCreated, 6000);
      assert.ok(stats.kmsCalls >= 1 && stats.kmsCalls <= 2, `KMS calls: ${stats.kmsCalls} (one data key per department for its subject keys, none per subject)`);

      const parsed = parseKeysTopicRecord(`key/${sample!.subject}/support/${(JSON.parse(sample!.record.toString()) as { keyId: string }).keyId}`, sample!.record);
      assert.ok(parsed?.kind === 'key' && parsed.value);
      const reader = new KMS({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() });
      const stock = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const opened = await stock.decrypt(new KmsKeyringNode({ keyIds: [arns.support!], clientProvider: () => reader }), Buffer.from(parsed.value.sealed, 'base64'));
      assert.deepEqual({ ...opened.messageHeader.encryptionContext }, subjectKeyContext('support'));
      assert.equal((JSON.parse(opened.plaintext.toString()) as SubjectKeyPlaintext).subject, sample!.subject);
      await assert.rejects(
        stock.decrypt(new KmsKeyringNode({ keyIds: [arns.security!], clientProvider: () => reader }), Buffer.from(parsed.value.sealed, 'base64')),
        "security's key does not open support's subject keys",
      );
      reader.destroy();
    } finally {
      await x.close();
    }
  });
});
