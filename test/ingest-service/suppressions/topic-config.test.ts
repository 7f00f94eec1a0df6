// A suppression topic that is not compacted is refused like the subject-keys topic (one check,
// kafka/ensure-topics.ts): the forwarder keeps the events in the journal, the follower does not follow it
// and the check answers 503 not_ready, until it is compacted; then the seed batch's stops reach the list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, it } from 'node:test';
import kafkajs from 'kafkajs';
import { eventsSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { SEED_BATCH, startTestService, type TestService } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { until } from '../../support/until.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
const CHECK_SECRET = randomBytes(32).toString('base64url');
let svc: TestService | undefined;
after(async () => svc?.stop());

async function check(s: TestService, address: string): Promise<{ status: number; reasons: string[]; code?: string }> {
  const body = Buffer.from(JSON.stringify({ addresses: [address] }));
  const res = await fetch(`${s.service.url}/v1/suppressions/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...eventsSignedHeaders(CHECK_SECRET, body) }, body: new Uint8Array(body) });
  const json = (await res.json()) as { results?: { reasons: string[] }[]; error?: { code: string } };
  return { status: res.status, reasons: json.results?.[0]?.reasons ?? [], ...(json.error ? { code: json.error.code } : {}) };
}

it('a suppression topic with cleanup.policy=delete is refused (SP_KAFKA_TOPIC_CONFIG) by the forwarder and the follower; both resume once it is compacted', async () => {
  const { brokers } = await ensureKafka();
  const topic = uniqueTopic('supp-delete');
  const kafka = new Kafka({ clientId: 'sealpost-test', brokers, logLevel: logLevel.NOTHING });
  const ka = kafka.admin();
  await ka.connect();
  try {
    await ka.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
    svc = await startTestService({ brokers, overrides: { suppressions: { topic, check: { verify: { hmacSecret: CHECK_SECRET } } } } });
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200, 'accepted into the journal all the same');

    const s = svc;
    await until('the follower and the forwarder refuse the topic', () => s.logs.filter((l) => l.includes('SP_KAFKA_TOPIC_CONFIG')), (l) => l.some((x) => x.includes('cannot follow the suppression topic')) && l.some((x) => !x.includes('cannot follow the suppression topic')));
    assert.equal(s.service.suppressions!.follower.state().ready, false);
    assert.match(s.service.suppressions!.follower.state().lastError ?? '', /cleanup\.policy=delete but needs cleanup\.policy=compact/);
    const refused = await check(s, 'example@test.com');
    assert.equal(refused.status, 503, 'no answer from a list that is not followed');
    const offsets = await ka.fetchTopicOffsets(topic);
    assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), 0, 'nothing written to a topic that would delete it by time');

    await ka.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    const ok = await until('the bounce on the list once compacted', () => check(s, 'example@test.com'), (r) => r.status === 200 && r.reasons.includes('bounce'), { timeoutMs: 60_000 });
    assert.deepEqual(ok.reasons, ['bounce', 'dropped', 'spamreport', 'unsubscribe']);
  } finally {
    await ka.disconnect();
  }
});
