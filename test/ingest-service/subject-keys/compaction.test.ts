// After a forget and a forced compaction of the keys topic, the broker's disk holds none of the forgotten
// person's key records: the proof that crypto-shredding reaches the bytes, not only the readers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { subjectKeyRecordKey } from '../../../shared/subject-keys/index.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';
import { blindIndexOf, keysTopicState, liveKeysOf, type ServiceKeyRecord } from './support.js';

const { Kafka, logLevel, ConfigResourceTypes, Partitioners } = kafkajs;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every byte of the topic's partition folders on the broker (segments, indexes, files awaiting deletion). */
function topicBytes(logDirs: string[], topic: string): Buffer {
  const parts: Buffer[] = [];
  for (const dir of logDirs) {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      if (!name.startsWith(`${topic}-`)) continue;
      for (const f of readdirSync(join(dir, name))) {
        try {
          parts.push(readFileSync(join(dir, name, f)));
        } catch {
          /* deleted while reading */
        }
      }
    }
  }
  return Buffer.concat(parts);
}

describe('forced compaction of the keys topic after a forget', () => {
  let brokers: string[];
  let svc: AdminTestService;
  let kafka: InstanceType<typeof Kafka>;
  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startAdminService({ brokers, admin: {} });
    kafka = new Kafka({ clientId: 'sealpost-test-compaction', brokers, logLevel: logLevel.NOTHING });
  });
  after(async () => svc?.stop());

  it('leaves none of chris\'s key record values on the broker\'s disk, and example\'s where they were', async () => {
    const admin = svc.local();
    const topic = svc.config.subjectKeys.topic;
    const ka = kafka.admin();
    await ka.connect();
    // Where this broker keeps its logs: asked of the broker itself (the shared one may run from another checkout).
    const broker = await ka.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.dirs', 'log.dir'] }] });
    const logDirs = broker.resources[0]!.configEntries.filter((e) => e.configValue).flatMap((e) => e.configValue.split(','));
    assert.ok(logDirs.some((d) => existsSync(d)), `the broker's log dir is on this machine (${logDirs.join(', ')})`);

    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    await until('the seed batch forwarded', () => admin.status(), (s) => s.sources.find((x) => x.id === 'sendgrid')!.forwarded === 14);
    // Compaction forced on this test's keys topic: segments roll after a second, any dirt is worth cleaning,
    // tombstones kept a second, replaced files deleted at once.
    await ka.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.ms', value: '1000' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            { name: 'delete.retention.ms', value: '1000' },
            { name: 'min.compaction.lag.ms', value: '0' },
            { name: 'file.delete.delay.ms', value: '0' },
          ],
        },
      ],
    });
    // The key records the service made for the seed batch: the sealed keys are what must leave the disk.
    const state = await keysTopicState(brokers, topic);
    const chrisRecs = liveKeysOf(state, blindIndexOf(svc.dataDir, 'chris@gmail.com'));
    const exampleRecs = liveKeysOf(state, blindIndexOf(svc.dataDir, 'example@test.com'));
    assert.equal(chrisRecs.length, 2);
    assert.equal(exampleRecs.length, 2);
    const sealedOf = (r: ServiceKeyRecord) => Buffer.from(r.value.sealed);
    await until('the key records on disk', () => topicBytes(logDirs, topic), (b) => [...chrisRecs, ...exampleRecs].every((r) => b.includes(sealedOf(r))), { show: () => 'not all found' });

    const r = await admin.forgetSubject('chris@gmail.com', 'DSR-2026-0200');
    assert.equal(r.keysTombstoned, 2);

    // Segments roll only when a record is appended after segment.ms: keep appending harmless tombstones to every partition.
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    const partitions = (await ka.fetchTopicOffsets(topic)).map((m) => m.partition);
    const started = Date.now();
    try {
      await until(
        'compaction to remove chris\'s key records from disk',
        async () => {
          await sleep(1100);
          await producer.send({ topic, acks: -1, messages: partitions.map((partition) => ({ partition, key: subjectKeyRecordKey('filler', 'support', randomBytes(16).toString('base64url')), value: null })) });
          return topicBytes(logDirs, topic);
        },
        (b) => chrisRecs.every((c) => !b.includes(sealedOf(c))),
        { timeoutMs: 120_000, show: (b) => `${chrisRecs.filter((c) => b.includes(sealedOf(c))).length} of chris's sealed keys still on disk` },
      );
    } finally {
      await producer.disconnect();
      await ka.disconnect();
    }
    const bytes = topicBytes(logDirs, topic);
    for (const e of exampleRecs) assert.ok(bytes.includes(sealedOf(e)), 'example@test.com\'s keys are still there (the scan reads real bytes)');
    const { latest } = await keysTopicState(brokers, topic);
    for (const c of chrisRecs) assert.equal(latest.get(c.key) ?? null, null, 'a fresh reader finds no value for his keys');
    console.log(`compaction removed chris's key records from the broker's disk ${Date.now() - started} ms after the forget`);
  });
});
