// A restarted instance continues from its store: it remembers who was forgotten (a late key of his is still
// shredded) without applying the old marker again.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, it } from 'node:test';
import { startService, type RunningService } from '../../../ingest-service/src/service.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { startAdminService } from '../admin/support.js';
import { blindIndexOf, keyRecord, keysTopicState, metricValue, produceKeyRecords } from './support.js';

let again: RunningService | undefined;
let dataDir: string | undefined;
after(async () => {
  await again?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('after a restart: the forget is remembered from the store, a late key made before it is shredded, the marker is not applied twice', async () => {
  const { brokers } = await ensureKafka();
  const svc = await startAdminService({ brokers, admin: {} });
  dataDir = svc.dataDir;
  const topic = svc.config.subjectKeys.topic;
  assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
  await until('the seed batch forwarded', () => svc.local().status(), (s) => s.sources.find((x) => x.id === 'sendgrid')!.forwarded === 14);
  const chris = blindIndexOf(svc.dataDir, 'chris@gmail.com');
  await produceKeyRecords(brokers, topic, [await keyRecord(svc.dataDir, chris, 'support', { createdAt: Date.now() - 10_000 })]);
  const r = await svc.local().forgetSubject('chris@gmail.com', 'DSR-2026-0300');
  assert.equal(r.keysTombstoned, 1);
  // A forget reads the topic to its end first: after this one, the store holds chris's marker for sure.
  await svc.local().forgetSubject('someone-else@example.com', 'sync');
  await svc.stop({ keepData: true });

  again = await startService(svc.config, { logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const late = await keyRecord(svc.dataDir, chris, 'security', { createdAt: Date.parse(r.forgottenAt) - 1000 });
  await produceKeyRecords(brokers, topic, [late]);
  // Shredding the late key needs chris's marker: a store read again from the beginning would apply it (and count it) again.
  await until('the late key tombstoned', () => keysTopicState(brokers, topic), (s) => s.latest.get(late.key) === null);
  const page = await again.metrics.registry.metrics();
  assert.equal(metricValue(page, 'sealpost_forget_markers_applied_total'), 0, 'no marker from before the restart was applied again');
  assert.equal(metricValue(page, 'sealpost_subject_keys_tombstoned_total', 'by="follower"'), 1);
});
