// One behaviour for a keys topic that is not compacted, whoever meets it: the forwarder's sink, the keys-topic
// follower and the forget call all refuse it, retriable, with SP_KAFKA_TOPIC_CONFIG, and all go on once it is fixed.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import kafkajs from 'kafkajs';
import { isSealpostError } from '../../../shared/errors/index.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
let svc: AdminTestService | undefined;
after(async () => svc?.stop());

it('a keys topic with cleanup.policy=delete: forwarding waits, the follower does not follow it, a forget answers 503; all resume once it is compacted', async () => {
  const { brokers } = await ensureKafka();
  const topic = uniqueTopic('keys-delete');
  const kafka = new Kafka({ clientId: 'sealpost-test', brokers, logLevel: logLevel.NOTHING });
  const ka = kafka.admin();
  await ka.connect();
  try {
    await ka.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
    svc = await startAdminService({ brokers, admin: {}, overrides: { subjectKeys: { topic } } });
    const admin = svc.local();
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200, 'accepted into the journal all the same');

    const refused = await admin.forgetSubject('chris@gmail.com', 'DSR-2026-0500').then(
      () => assert.fail('a forget on a keys topic that is not compacted must be refused'),
      (err: unknown) => err,
    );
    assert.ok(isSealpostError(refused));
    assert.equal(refused.status, 503);
    assert.equal(refused.code, 'SP_KAFKA_TOPIC_CONFIG');
    assert.match(refused.message, /cleanup\.policy=delete but needs cleanup\.policy=compact/);
    await until('the follower to log the same refusal', async () => svc!.logs.join(''), (l) => l.includes('SP_KAFKA_TOPIC_CONFIG') && l.includes('subject-keys follower'));
    assert.equal((await admin.status()).sources.find((x) => x.id === 'sendgrid')!.forwarded, 0, 'nothing forwarded under keys that would not be kept');

    await ka.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await until('the seed batch forwarded', () => admin.status(), (s) => s.sources.find((x) => x.id === 'sendgrid')!.forwarded === 14, { timeoutMs: 60_000 });
    const r = await until(
      'a forget to succeed',
      () => admin.forgetSubject('chris@gmail.com', 'DSR-2026-0500').catch((e: unknown) => e),
      (x) => !(x instanceof Error),
      { timeoutMs: 30_000 },
    );
    assert.equal((r as { keysTombstoned: number }).keysTombstoned, 2);
  } finally {
    await ka.deleteTopics({ topics: [topic] }).catch(() => {});
    await ka.disconnect();
  }
});
