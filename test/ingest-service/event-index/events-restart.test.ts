// The event index across restarts and instances, on the real broker: a restarted service answers from its index
// at once and resumes the tail where it committed (nothing read twice into it), and a second instance builds its
// own whole index from the topics, where an event that reached Kafka twice (through both instances) is one row.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventsSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { parseEnvelope } from '../../../shared/envelope/index.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { tempDataDir } from '../../support/ingest.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';
import { auditEvent, indexed } from './support.js';

describe('event index: restart and several instances (real broker)', { timeout: 240_000 }, () => {
  let brokers: string[];
  let first: AdminTestService;
  let second: AdminTestService | undefined;
  const dataDir = tempDataDir('sealpost-evidx-');
  const trail = uniqueTopic('evr-trail');
  const batchA = [0, 1, 2].map((i) => auditEvent(i, { type: 'account.created', subject: `user-${i}@example.com` }));
  const batchB = [3, 4].map((i) => auditEvent(i, { type: 'customer.billed', subject: `user-${i}@example.com` }));

  /** Posts to `svc` signed with the audit source's secret from `secretOf`'s config (restarts keep the first secret). */
  const post = async (svc: AdminTestService, body: unknown[], secretOf: AdminTestService = first) => {
    const src = secretOf.config.sources.find((s) => s.id === 'audit')!;
    const secret = (src.verify as { hmacSecret: string }).hmacSecret;
    const buf = Buffer.from(JSON.stringify(body));
    const res = await fetch(`${svc.service.url}/v1/events/audit`, { method: 'POST', headers: { 'content-type': 'application/json', ...eventsSignedHeaders(secret, buf) }, body: new Uint8Array(buf) });
    assert.equal(res.status, 200, await res.text());
  };
  /** The same instance config (sources, topics, secret) on `dir`. */
  const start = (dir: string) => startAdminService({ brokers, dataDir: dir, admin: { audit: { topic: trail } }, overrides: { sources: first.config.sources } });

  before(async () => {
    ({ brokers } = await ensureKafka());
    first = await startAdminService({ brokers, dataDir, admin: { audit: { topic: trail } } });
    await post(first, batchA);
    await indexed(first, 3, { source: 'audit' });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a restarted service answers from its index at once, then resumes the tail without reading old records into it again', async () => {
    await first.stop({ keepData: true });
    first = await start(dataDir);
    const now = await first.local().queryEvents({ source: 'audit' });
    assert.deepEqual(new Set(now.events.map((e) => e.id)), new Set(batchA.map((e) => e.id)), 'the index survived the restart');
    await post(first, batchB);
    const all = await indexed(first, 5, { source: 'audit' });
    assert.equal(all.events.length, 5, 'no row twice');
    assert.deepEqual(new Set(all.events.map((e) => e.id)), new Set([...batchA, ...batchB].map((e) => e.id)));
    // A re-read record would be counted as skipped (its (source, id) is there): the tail resumed at its committed offsets.
    const since = await first.local().queryEvents({ source: 'audit' });
    assert.ok(since.index.running);
    assert.equal(since.index.skipped, 0, 'nothing read into the index twice after the restart');
    assert.ok(since.index.indexed >= batchB.length);
  });

  it('a second instance indexes the topics itself; an event in Kafka twice is one row in each index', async () => {
    const secondDir = tempDataDir('sealpost-evidx2-');
    second = await start(secondDir);
    const twice = auditEvent(9, { type: 'account.deactivated', subject: 'user-9@example.com' });
    await post(first, [twice]);
    await post(second, [twice]);
    const topic = first.config.sources.find((s) => s.id === 'audit')!.topic!;
    const copies = (await readAll(brokers, topic, 7, 30_000)).filter((m) => parseEnvelope(m.value).envelope?.id === twice.id);
    assert.equal(copies.length, 2, 'both instances forwarded it: the topic holds it twice');
    for (const svc of [first, second]) {
      const r = await indexed(svc, 6, { source: 'audit' });
      assert.equal(r.events.filter((e) => e.id === twice.id).length, 1);
      assert.equal(r.events.length, 6);
    }
    await second.stop();
    second = undefined;
  });
});
