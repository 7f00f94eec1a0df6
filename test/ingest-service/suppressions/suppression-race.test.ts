import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { eventsSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { orderStamp, SUPPRESSION_SCHEMA, type SuppressionValue } from '../../../ingest-service/src/suppressions/suppression-state.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { startTestService, type TestService } from '../../support/ingest.js';
import { until } from '../../support/until.js';

const CHECK_SECRET = randomBytes(32).toString('base64url');

describe('suppression records written by two instances racing', () => {
  let brokers: string[];
  let svc: TestService;
  const topic = uniqueTopic('supp-race');

  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startTestService({ brokers, overrides: { suppressions: { topic, check: { verify: { hmacSecret: CHECK_SECRET } } } } });
  });
  after(async () => svc?.stop());

  const reasonsOf = async (address: string): Promise<string[]> => {
    const body = Buffer.from(JSON.stringify({ addresses: [address] }));
    const res = await fetch(`${svc.service.url}/v1/suppressions/check`, { method: 'POST', headers: eventsSignedHeaders(CHECK_SECRET, body), body: new Uint8Array(body) });
    return ((await res.json()) as { results?: { reasons: string[] }[] }).results?.[0]?.reasons ?? [];
  };

  it('a record that lacks what another instance wrote is merged by every reader and written back whole', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const batch = [{ email: 'race@example.org', event: 'bounce', timestamp: ts, sg_event_id: `r-${randomBytes(6).toString('hex')}` }];
    assert.equal((await svc.postSendgrid(JSON.stringify(batch))).status, 200);
    await until('the bounce on the list', () => reasonsOf('race@example.org'), (r) => r.includes('bounce'));

    // Another instance that had not yet read the bounce writes its spamreport alone (no merge).
    const subject = (await svc.service.suppressions!.blindIndexer())('race@example.org');
    const o = orderStamp(ts * 1000 + 1000, Date.now(), 0);
    const racing: SuppressionValue = {
      schema: SUPPRESSION_SCHEMA,
      subject,
      reasons: { spamreport: { since: new Date(ts * 1000 + 1000).toISOString(), sinceOrd: o, lastOrd: o, source: 'sendgrid', eventId: 'other-instance' } },
      source: 'sendgrid',
      eventId: 'other-instance',
      policyVersion: 1,
      sections: {},
      sealedId: 'other-instance',
      sealedSource: 'sendgrid',
    };
    const producer = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: subject, value: JSON.stringify(racing) }] });
    await producer.disconnect();

    assert.deepEqual(await until('both reasons in the view', () => reasonsOf('race@example.org'), (r) => r.length === 2), ['bounce', 'spamreport']);
    // The latest record of the key (what compaction keeps) holds both again.
    const records = await readAll(brokers, topic, 3, 60_000, {
      until: (m) => {
        const mine = m.filter((r) => r.key?.toString() === subject);
        const last = mine[mine.length - 1];
        return Boolean(last && Object.keys((JSON.parse(last.value!.toString()) as SuppressionValue).reasons).length === 2 && mine.length >= 3);
      },
    });
    const mine = records.filter((r) => r.key?.toString() === subject);
    const last = JSON.parse(mine[mine.length - 1]!.value!.toString()) as SuppressionValue;
    assert.deepEqual(Object.keys(last.reasons).sort(), ['bounce', 'spamreport']);
    assert.ok(Object.keys(last.sections).length > 0, 'the written-back record keeps the sealed address');
  });
});
