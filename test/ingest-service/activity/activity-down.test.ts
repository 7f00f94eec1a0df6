// Counts are a view of what was forwarded: when activity.db cannot be opened (a directory in its place, a
// broken disk), the service still starts, accepts and forwards; only the activity routes say it is off.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeSendgridBatch, tempDataDir } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';

describe('email activity that cannot start', { timeout: 120_000 }, () => {
  let svc: AdminTestService | undefined;
  after(async () => svc?.stop());

  test('the service starts and forwards anyway; the activity routes answer 404 naming the cause', async () => {
    const { brokers } = await ensureKafka();
    const dataDir = tempDataDir('sp-activity-down-');
    mkdirSync(join(dataDir, 'activity.db')); // SQLite cannot open a directory
    svc = await startAdminService({ brokers, dataDir, admin: { audit: { topic: uniqueTopic('activity-down-audit') } } });
    const batch = makeSendgridBatch(20, `down${Date.now()}`);
    assert.equal((await svc.postSendgrid(batch.body)).status, 200);
    const c = svc.local();
    await until('20 events forwarded', () => c.status(), (s) => (s.kafka.forwarder?.forwardedEvents ?? 0) >= 20, { timeoutMs: 60_000 });
    await assert.rejects(c.activitySeries({ from: Date.now() - 3_600_000, to: Date.now() }), (err: any) => {
      assert.equal(err.code, 'SP_ADMIN_ACTIVITY_OFF');
      assert.match(err.message, /could not start/);
      return true;
    });
    assert.ok(svc.logs.some((l) => l.includes('SP_ACTIVITY_STORE_OPEN')), 'the log says why');
  });
});
