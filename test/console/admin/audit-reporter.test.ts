import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAuditReporter } from '../../../electron/core/admin/audit-reporter.js';
import { withAuditReports, type ReportedChannel } from '../../../electron/core/admin/audit-reports.js';
import type { AuditRecordRequest } from '../../../shared/admin-api/types.js';
import type { ConsoleHandlers } from '../../../shared/console-api/index.js';
import { SealpostError } from '../../../shared/errors/index.js';

const ev = (n: number): AuditRecordRequest => ({ action: 'decrypt', target: `topic/t${n}`, outcome: 'success', details: {} });

test('reports go out one at a time, in order, without the caller waiting', async () => {
  const sent: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const r = createAuditReporter({
    send: async (e) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((res) => setTimeout(res, 5));
      sent.push(e.target);
      inFlight--;
    },
  });
  for (let i = 0; i < 5; i++) assert.equal(r.report(ev(i)), undefined, 'report() gives the caller nothing to wait on');
  assert.deepEqual(sent, [], 'report() returns before anything is sent');
  assert.equal(r.state().queued, 4);
  await r.flush();
  assert.deepEqual(sent, ['topic/t0', 'topic/t1', 'topic/t2', 'topic/t3', 'topic/t4']);
  assert.equal(maxInFlight, 1);
  assert.deepEqual(r.state(), { reported: 5, failed: 0, queued: 0, lastFailure: null });
});

test('a failed report becomes a warning with the service code; the next success clears it', async () => {
  let fail = true;
  const r = createAuditReporter({
    now: () => 42,
    send: async () => {
      if (fail) throw new SealpostError('SP_ADMIN_CLIENT_UNREACHABLE', 'cannot reach the admin API', { retriable: true });
    },
  });
  r.report(ev(1));
  await r.flush();
  assert.deepEqual(r.state().lastFailure, { code: 'SP_ADMIN_CLIENT_UNREACHABLE', message: 'cannot reach the admin API', at: 42, action: 'decrypt' });
  fail = false;
  r.report(ev(2));
  await r.flush();
  assert.deepEqual(r.state(), { reported: 1, failed: 1, queued: 0, lastFailure: null });
});

test('a full queue drops the newest report and says so, memory stays bounded', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((res) => (release = res));
  const r = createAuditReporter({ maxQueue: 3, send: () => gate });
  for (let i = 0; i < 6; i++) r.report(ev(i));
  const st = r.state();
  assert.equal(st.queued, 3);
  assert.equal(st.failed, 2);
  assert.equal(st.lastFailure?.code, 'SP_CONSOLE_AUDIT_QUEUE_FULL');
  release();
  await r.flush();
  assert.equal(r.state().reported, 4);
});

test('decrypt reports carry clear facts only: a profile named after a person stays out, errors keep their code', async () => {
  const reports: AuditRecordRequest[] = [];
  const handlers = withAuditReports(
    {
      'messages:decrypt': async (a: { profile: string }) => ({ profile: a.profile, identity: 'x', rows: [{ id: '0:1', sections: { support: { state: 'open', fields: { email: 'bob@example.com' } }, security: { state: 'locked', code: 'no_key', message: 'no key' } } }] }),
      export: async () => {
        throw new SealpostError('SP_CONSOLE_EXPORT_CANCELLED', 'cancelled');
      },
      'access:matrix': async () => ({ identity: 'x', policyVersion: 1, checkedAt: '', departments: [], fields: [] }),
      'activity:links': async () => ({ identity: 'x', from: 0, to: 1, links: [{ ref: 'r1', source: 's', clicks: 3, url: 'https://a.example/?who=bob@example.com', locked: null, departments: ['support'] }, { ref: 'r2', source: 's', clicks: 1, url: null, locked: { code: 'no_key', message: 'no' }, departments: ['support'] }] }),
      'activity:timeline': async () => ({ topic: 'events', recipient: 'q1Xh0m8e2b5cV0yLw3kQ_A', partition: 4, events: [{ row: { id: '4:7' }, sections: { support: { state: 'open', fields: { email: 'bob@example.com' } } } }] }),
    } as unknown as Pick<ConsoleHandlers, ReportedChannel>,
    (e) => reports.push(e),
  );
  await handlers['messages:decrypt']({ topic: 'events', ids: ['0:1', '2:5', '0:9'], profile: 'aws:bob@example.com' });
  await assert.rejects(handlers.export({ topic: 'events', format: 'json', ids: ['0:1'], profile: 'local' }));
  assert.deepEqual(reports[0], { action: 'decrypt', target: 'topic/events', outcome: 'success', details: { records: 3, partitions: [0, 2], opened: ['support'], locked: 1 } });
  assert.deepEqual(reports[1], { action: 'export', target: 'topic/events', outcome: 'failure', details: { records: 1, format: 'json', decrypted: true, profile: 'local', code: 'SP_CONSOLE_EXPORT_CANCELLED' } });
  assert.ok(!JSON.stringify(reports).includes('example.com'));

  // The Activity page opens clicked URLs and one person's events: both are decryptions, reported with counts and
  // the person's blind index (their pseudonym), never the URL or the address searched for.
  await handlers['activity:links']({ service: 'http://127.0.0.1:1', from: 0, to: 1, limit: 10, profile: 'local' });
  await handlers['activity:timeline']({ topic: 'events', address: 'bob@example.com', profile: 'local', limit: 10, budget: 1000, maxMs: 3000 });
  assert.deepEqual(reports[2], { action: 'decrypt', target: 'activity/links', outcome: 'success', details: { purpose: 'top-links', profile: 'local', links: 2, opened: 1, locked: 1 } });
  assert.deepEqual(reports[3], {
    action: 'decrypt',
    target: 'topic/events',
    outcome: 'success',
    details: { purpose: 'recipient-timeline', profile: 'local', records: 1, partitions: [4], opened: ['support'], locked: 0, recipient: 'q1Xh0m8e2b5cV0yLw3kQ_A' },
  });
  assert.ok(!JSON.stringify(reports).includes('example.com'));
});
