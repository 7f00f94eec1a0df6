// A restarted instance continues from its store: it remembers who was forgotten (a key record of his made
// before the forget that lands late is still shredded) without applying the old marker again.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, it } from 'node:test';
import { startService, type RunningService } from '../../../ingest-service/src/service.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { startAdminService } from '../admin/support.js';
import { blindIndexOf, keysTopicState, liveKeysOf, metricValue, redeliver } from './support.js';

let again: RunningService | undefined;
let dataDir: string | undefined;
after(async () => {
  await again?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('after a restart: the forget is remembered from the store, his key records landing late are shredded, the marker is not applied twice', async () => {
  const { brokers } = await ensureKafka();
  const svc = await startAdminService({ brokers, admin: {} });
  dataDir = svc.dataDir;
  const topic = svc.config.subjectKeys.topic;
  assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
  await until('the seed batch forwarded', () => svc.local().status(), (s) => s.sources.find((x) => x.id === 'sendgrid')!.forwarded === 14);
  // The key records the service made for him, byte for byte, before the forget.
  const his = liveKeysOf(await keysTopicState(brokers, topic), blindIndexOf(svc.dataDir, 'chris@gmail.com'));
  assert.equal(his.length, 2);
  const r = await svc.local().forgetSubject('chris@gmail.com', 'DSR-2026-0300');
  assert.equal(r.keysTombstoned, 2);
  for (const k of his) assert.ok(Date.parse(k.value.createdAt) <= Date.parse(r.forgottenAt), 'made before the forget');
  // A forget reads the topic to its end first: after this one, the store holds chris's marker for sure.
  await svc.local().forgetSubject('someone-else@example.com', 'sync');
  await svc.stop({ keepData: true });

  again = await startService(svc.config, { logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  // The same records again after their tombstones (a send that was still in flight, a producer retry).
  await redeliver(brokers, topic, his);
  // Shredding them needs chris's marker: a store read again from the beginning would apply it (and count it) again.
  await until('his late key records tombstoned', () => keysTopicState(brokers, topic), (s) => his.every((k) => s.latest.get(k.key) === null));
  const page = await again.metrics.registry.metrics();
  assert.equal(metricValue(page, 'sealpost_forget_markers_applied_total'), 0, 'no marker from before the restart was applied again');
  assert.equal(metricValue(page, 'sealpost_subject_keys_tombstoned_total', 'by="follower"'), 2);
});
