import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { until } from '../../support/until.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';

describe('the suppression list on the admin API', () => {
  let svc: AdminTestService;
  let subject: string;
  const started = Date.now();

  before(async () => {
    const { brokers } = await ensureKafka();
    svc = await startAdminService({ brokers, admin: {}, overrides: { suppressions: { topic: uniqueTopic('supp-admin') } } });
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    subject = (await svc.service.suppressions!.blindIndexer())('example@test.com');
    await until('the seed entry in the view', () => svc.local().listSuppressions({ subject }), (r) => r.ready && r.entries.length === 1);
  });
  after(async () => svc?.stop());

  /** A check with the local admin token (an admin session holding suppressions:read). */
  const checkAsAdmin = async (addresses: string[], group?: number): Promise<{ status: number; body: { results: { suppressed: boolean; reasons: string[] }[] } }> => {
    const res = await fetch(`${svc.service.url}/v1/suppressions/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${svc.admin.localToken!.token}` },
      body: JSON.stringify({ addresses, ...(group !== undefined ? { group } : {}) }),
    });
    return { status: res.status, body: (await res.json()) as { results: { suppressed: boolean; reasons: string[] }[] } };
  };

  it('searches by blind index: the global entry, and the lifted group entry only when asked for lifted ones', async () => {
    const admin = svc.local();
    const [entry] = (await admin.listSuppressions({ subject })).entries;
    assert.deepEqual(entry!.reasons, ['bounce', 'dropped', 'spamreport', 'unsubscribe']);
    assert.equal(entry!.group, null);
    assert.deepEqual(Object.keys(entry!.sections).sort(), ['security', 'support']);
    const all = (await admin.listSuppressions({ subject, active: 'false' })).entries;
    const group = all.find((e) => e.group === 10)!;
    assert.deepEqual(group.reasons, []);
    assert.equal(group.detail.group_unsubscribe!.liftedBy, 'group_resubscribe');
    assert.equal((await admin.listSuppressions({ reason: 'spamreport' })).entries.length, 1);
  });

  it('counts active suppressions by reason over time', async () => {
    const c = await svc.local().suppressionCounts({ from: '2021-09-01T00:00:00Z', to: '2021-10-01T00:00:00Z', bucket: 'day' });
    assert.deepEqual(c.totals, { bounce: 1, dropped: 1, spamreport: 1, unsubscribe: 1 });
    assert.deepEqual(
      c.series.map((s) => `${s.start.slice(0, 10)} ${s.reason} ${s.count}`),
      ['2021-09-13 bounce 1', '2021-09-13 dropped 1', '2021-09-13 spamreport 1', '2021-09-13 unsubscribe 1'],
    );
  });

  it('accepts an admin session on the check API; exports the active list, audited', async () => {
    const r = await checkAsAdmin(['example@test.com']);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results[0]!.reasons, ['bounce', 'dropped', 'spamreport', 'unsubscribe']);
    const exported = await svc.local().exportSuppressions();
    assert.equal(exported.truncated, false);
    assert.deepEqual(exported.entries.map((e) => e.key), [subject]);
    const trail = (await svc.local().queryAudit({ action: 'suppressions-export', from: started })).events;
    assert.equal(trail[0]?.outcome, 'success');
  });

  it('removes with a reason: writes the lifting record (the check says not suppressed), audited, reason sealed', async () => {
    const admin = svc.local();
    const lifted = await admin.removeSuppression({ subject, reason: 'customer asked by phone, ticket 4411' });
    assert.deepEqual(lifted.reasons, []);
    assert.equal(lifted.detail.bounce!.liftedBy, 'admin');
    await until('the check after removal', () => checkAsAdmin(['example@test.com']), (r) => r.body.results?.[0]?.suppressed === false);
    const trail = (await admin.queryAudit({ action: 'suppression-remove', from: started })).events;
    assert.equal(trail[0]?.target, `suppression/${subject}`);
    assert.equal((await admin.queryAudit({ keyword: 'ticket 4411' })).events.length, 0, 'the typed reason is sealed, not indexed');
    await assert.rejects(admin.removeSuppression({ subject: 'AAAAAAAAAAAAAAAAAAAAAA', reason: 'nobody' }), (e: { status?: number }) => e.status === 404);
    assert.equal((await admin.suppressionCounts({ from: '2021-09-01T00:00:00Z' })).totals.bounce, undefined);
  });
});
