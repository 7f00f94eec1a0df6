// The recipient timeline reads one partition newest first; on a long partition one call must not hold the panel
// for its whole record budget (2 million by default, no cancel): it answers after about maxMs with where it
// stopped, and 'search further back' (`before`) continues to the person's oldest event. Real broker, real seals.
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { after, before, describe, test } from 'node:test';
import { readTimeline, type TimelineDeps } from '../../../../electron/core/activity/timeline.js';
import { unsafeRawCluster, type RawCluster } from '../../../../electron/core/kafka/raw-fetch.js';
import { watermarks } from '../../../../electron/core/topics/topic-admin.js';
import { timelineArgs } from '../../../../shared/console-api/activity-schemas.js';
import { createLocalKeysOpener } from '../../../../shared/decrypt/local-opener.js';
import { ensureKafka, uniqueTopic } from '../../../support/kafka.js';
import { createSeedKit, produceRecords, sendgridEvent, type SeedKit } from '../../support/seed.js';

const OTHERS = 44_000;
const PERSON = 'user7@example.com';

describe('recipient timeline on a long partition (real broker)', { timeout: 180_000 }, () => {
  let kit: SeedKit;
  let cluster: RawCluster;
  let admin: kafkajs.Admin;
  let topic: string;

  before(async () => {
    const { brokers } = await ensureKafka();
    kit = createSeedKit();
    topic = uniqueTopic('console-timeline-budget');
    // The person's four events first (oldest), then a long run of other people's records on the same partition.
    const types = ['processed', 'delivered', 'open', 'click'];
    const events = types.map((type, k) => sendgridEvent(7 + 50 * k, { time: Date.now() - 3_600_000 + k * 1000, recipients: 50, type }));
    const theirs = await kit.build(events);
    const filler = Array.from({ length: OTHERS }, (_, i) => ({ eventId: `f${i}`, topic, key: `other-${i % 97}`, value: Buffer.from(`{"n":${i}}`), headers: {} }));
    await produceRecords(brokers, topic, [...theirs, ...filler], { partitions: 1, batch: 2_000 });
    const kafka = new kafkajs.Kafka({ clientId: 'timeline-budget-test', brokers, logLevel: kafkajs.logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    cluster = unsafeRawCluster(kafka);
    await cluster.connect();
  });
  after(async () => {
    await cluster?.disconnect();
    await admin?.disconnect();
    await kit?.close();
  });

  test('each call stops after about maxMs with a continuation; continuing finds the person’s events in order', async () => {
    let clock = 0;
    const deps: TimelineDeps = {
      cluster,
      watermarks: (t) => watermarks(admin, t),
      blindIndex: async () => kit.blindIndex,
      opener: async () => createLocalKeysOpener({ localKeysDir: kit.keysDir }),
      // Every look at the clock is a second later: the 1.5 s of maxMs are gone once the first chunk is read.
      now: () => (clock += 1_000),
    };
    const args = (before?: string) => ({ ...timelineArgs.parse({ topic, address: PERSON, maxMs: 1_500, ...(before ? { before } : {}) }), profile: 'local' });
    const first = await readTimeline(deps, args());
    assert.equal(first.partitionRecords, OTHERS + 4);
    assert.equal(first.complete, false, 'stopped on time, not at the start of the partition');
    assert.ok(first.scanned > 0 && first.scanned < OTHERS, `read ${first.scanned}`);
    assert.equal(first.nextBefore, String(OTHERS + 4 - first.scanned));
    assert.equal(first.events.length, 0);

    let t = first;
    const found = [...first.events];
    for (let calls = 0; !t.complete && calls < 10; calls++) {
      t = await readTimeline(deps, args(t.nextBefore!));
      found.unshift(...t.events);
    }
    assert.equal(t.complete, true);
    assert.deepEqual(found.map((e) => e.row.type), ['processed', 'delivered', 'open', 'click'], 'the person’s four events, oldest first');
  });
});
