import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultFsUnavailableReason, withReadOnly, withTmpfs } from '../journal/fault-fs.js';
import { makeSendgridBatch, startTestService } from '../../support/ingest.js';

// Real filesystems that refuse writes (a full tmpfs, a read-only bind mount): the service must answer 503 with
// Retry-After so the sender retries, never a 2xx it could not make durable, and recover once the disk is back.
const unavailable = faultFsUnavailableReason();

describe('journal unwritable → 503, never a 2xx without durability', { skip: unavailable }, () => {
  it('answers 503 on a full disk and 200 again once space is freed', async () => {
    await withTmpfs(4096, async (fs) => {
      const svc = await startTestService({ dataDir: fs.dir });
      try {
        assert.equal((await svc.postSendgrid(makeSendgridBatch(10, 'full').body)).status, 200);
        fs.fill();
        const statuses = new Set<number>();
        for (let i = 0; i < 5; i++) {
          const res = await svc.postSendgrid(makeSendgridBatch(200, 'full').body);
          statuses.add(res.status);
          if (res.status === 503) {
            assert.equal(res.headers.get('retry-after'), '5');
            assert.equal(((await res.json()) as { error: { retriable: boolean } }).error.retriable, true);
          } else await res.arrayBuffer();
        }
        assert.deepEqual([...statuses], [503], 'every request refused while the disk is full');
        const ready = await fetch(`${svc.service.url}/readyz`);
        assert.equal(ready.status, 503, 'readiness says the journal is not writable');
        fs.free();
        let recovered = 0;
        for (let i = 0; i < 50 && recovered !== 200; i++) {
          recovered = (await svc.postSendgrid(makeSendgridBatch(10, 'full').body)).status;
          if (recovered !== 200) await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(recovered, 200, 'accepts again once space is back');
      } finally {
        await svc.stop({ keepData: true });
      }
    });
  });

  it('refuses to start on a read-only data dir, saying why (nothing can be accepted, so nothing is acknowledged)', async () => {
    const first = await startTestService();
    assert.equal((await first.postSendgrid(makeSendgridBatch(5, 'ro').body)).status, 200);
    await first.stop({ keepData: true });
    // Files opened before a remount keep writing through their descriptors (still durable); what an operator
    // meets is a service (re)started on a volume that went read-only: it must not come up and answer 2xx.
    await withReadOnly(first.dataDir, async () => {
      await assert.rejects(startTestService({ dataDir: first.dataDir }), /cannot open the journal .*writable, durable disk/);
    });
  });
});
