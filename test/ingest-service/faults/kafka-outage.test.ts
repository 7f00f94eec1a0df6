import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Envelope } from '../../../shared/envelope/index.js';
import { readAll, startKafkaInstance, type KafkaInstance } from '../../support/kafka.js';
import { makeSendgridBatch, startTestService, type TestService } from '../../support/ingest.js';

// A private broker (never the shared one): this test stops it for 30 s while the sender keeps posting.
let kafka: KafkaInstance;
let svc: TestService;
before(async () => {
  kafka = await startKafkaInstance({ name: 'ingest-outage', port: 39492 });
  svc = await startTestService({ brokers: kafka.brokers });
});
after(async () => {
  await svc?.stop();
  await kafka?.destroy();
});

it('keeps answering 2xx while Kafka is down for 30 s, then delivers every accepted event', async () => {
  const statuses: number[] = [];
  const accepted = new Set<string>();
  let loading = true;
  const load = (async () => {
    while (loading) {
      const { body, ids } = makeSendgridBatch(25, 'outage');
      const t0 = Date.now();
      const res = await svc.postSendgrid(body);
      statuses.push(res.status);
      if (res.status === 200) ids.forEach((id) => accepted.add(id));
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, Math.max(0, 25 - (Date.now() - t0))));
    }
  })();
  await new Promise((r) => setTimeout(r, 5_000));
  await kafka.stop();
  const downAt = accepted.size;
  await new Promise((r) => setTimeout(r, 30_000));
  const acceptedWhileDown = accepted.size - downAt;
  await kafka.start();
  await new Promise((r) => setTimeout(r, 5_000));
  loading = false;
  await load;

  assert.ok(statuses.length > 500, `the sender kept posting (${statuses.length} requests)`);
  assert.deepEqual([...new Set(statuses)], [200], 'no answer other than 200, Kafka down or not');
  assert.ok(acceptedWhileDown > 10_000, `accepted at full speed while Kafka was down (${acceptedWhileDown} events)`);

  const idOf = (r: { value: Buffer | null }): string => (JSON.parse(r.value!.toString()) as Envelope).id;
  const allSeen = (msgs: readonly { value: Buffer | null }[]): boolean => {
    const seen = new Set(msgs.map(idOf));
    return [...accepted].every((id) => seen.has(id));
  };
  const records = await readAll(kafka.brokers, svc.config.sources[0]!.topic!, accepted.size, 120_000, { until: allSeen });
  const delivered = new Set(records.map((r) => (JSON.parse(r.value!.toString()) as Envelope).id));
  const missing = [...accepted].filter((id) => !delivered.has(id));
  assert.equal(missing.length, 0, `every accepted event reached Kafka (${missing.length} of ${accepted.size} missing)`);
});
