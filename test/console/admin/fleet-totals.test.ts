// The fleet's totals and health words, as pure functions over status answers shaped like the admin API's own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetTotals, statusProblems } from '../../../electron/core/admin/fleet-status.js';
import type { FleetMember, StatusResponse } from '../../../shared/console-api/service-types.js';

type Over = { pending?: number; oldest?: number | null; rates?: [number, number][]; dead?: number; kafka?: 'ok' | 'down' | 'none'; kms?: boolean; journal?: string | null };

function status(o: Over = {}): StatusResponse {
  return {
    serverId: null,
    now: 0,
    startedAt: 0,
    windowSeconds: 60,
    sources: (o.rates ?? [[0, 0]]).map(([acceptRate, forwardRate], i) => ({
      id: `s${i}`, kind: 'sendgrid', topic: `t${i}`, internal: false, acceptRate, forwardRate, accepted: 0, forwarded: 0, pending: 0, oldestPendingAgeSeconds: null, paused: null,
    })),
    journal: { pendingTotal: o.pending ?? 0, oldestPendingAgeSeconds: o.oldest ?? null, unavailable: o.journal ?? null },
    deadLetters: { open: o.dead ?? 0, byReason: {} },
    kafka: { configured: o.kafka !== 'none', healthy: o.kafka !== 'down', forwarder: null },
    kms: { mode: 'local', healthy: o.kms ?? true, lastError: null },
  };
}
const member = (s: StatusResponse | null): FleetMember => ({
  service: 'http://127.0.0.1:1', label: 'x', status: s, error: s ? null : { code: 'SP_ADMIN_CLIENT_UNREACHABLE', message: 'no answer' }, problems: s ? statusProblems(s) : ['unreachable'],
});

describe('fleet totals', () => {
  it('names what is wrong with a service, nothing when healthy', () => {
    const table: [Over, string[]][] = [
      [{}, []],
      [{ kafka: 'down' }, ['Kafka unreachable']],
      [{ kafka: 'none' }, ['no Kafka configured']],
      [{ kms: false }, ['sealing keys failing']],
      [{ journal: 'disk full', kafka: 'down', kms: false }, ['journal refuses writes', 'Kafka unreachable', 'sealing keys failing']],
    ];
    for (const [o, want] of table) assert.deepEqual(statusProblems(status(o)), want, JSON.stringify(o));
  });

  it('sums pending, rates and dead letters; the oldest wait is the oldest of any; a silent service is neither reachable nor healthy', () => {
    const t = fleetTotals([
      member(status({ pending: 5, oldest: 30, rates: [[2, 1], [0.5, 0.5]], dead: 1 })),
      member(status({ pending: 0, oldest: null, rates: [[3, 3]], kafka: 'down' })),
      member(status({ pending: 2, oldest: 90, dead: 2 })),
      member(null),
    ]);
    assert.deepEqual(t, { services: 4, reachable: 3, healthy: 2, pending: 7, oldestPendingAgeSeconds: 90, acceptRate: 5.5, forwardRate: 4.5, deadLettersOpen: 3 });
  });

  it('an empty or all-idle fleet waits on nothing', () => {
    assert.deepEqual(fleetTotals([]), { services: 0, reachable: 0, healthy: 0, pending: 0, oldestPendingAgeSeconds: null, acceptRate: 0, forwardRate: 0, deadLettersOpen: 0 });
    assert.equal(fleetTotals([member(status()), member(status())]).oldestPendingAgeSeconds, null);
  });
});
