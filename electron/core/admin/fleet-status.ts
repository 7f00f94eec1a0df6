import type { FleetMember, FleetStatus, FleetTotals, StatusResponse } from '../../../shared/console-api/service-types.js';
import { toErrorInfo } from '../../../shared/console-api/dispatch.js';
import type { ServiceConnector } from './service-connector.js';

/** What is wrong with one reachable service, in the words the Backlog page shows; empty when healthy. */
export function statusProblems(s: StatusResponse): string[] {
  const problems: string[] = [];
  if (s.journal.unavailable) problems.push('journal refuses writes');
  if (s.kafka.configured && !s.kafka.healthy) problems.push('Kafka unreachable');
  if (!s.kafka.configured) problems.push('no Kafka configured');
  if (!s.kms.healthy) problems.push('sealing keys failing');
  return problems;
}

/**
 * Adds the fleet up. Pending, rates and dead letters are sums over the services that answered; the
 * oldest age is the oldest of any (the one an alert would fire on); an unreachable service counts
 * in `services` but not in `reachable` or `healthy`, so a silent instance never looks fine.
 */
export function fleetTotals(members: readonly FleetMember[]): FleetTotals {
  const t: FleetTotals = { services: members.length, reachable: 0, healthy: 0, pending: 0, oldestPendingAgeSeconds: null, acceptRate: 0, forwardRate: 0, deadLettersOpen: 0 };
  for (const m of members) {
    const s = m.status;
    if (!s) continue;
    t.reachable++;
    if (m.problems.length === 0) t.healthy++;
    t.pending += s.journal.pendingTotal;
    const age = s.journal.oldestPendingAgeSeconds;
    if (age !== null) t.oldestPendingAgeSeconds = Math.max(t.oldestPendingAgeSeconds ?? 0, age);
    for (const src of s.sources) {
      t.acceptRate += src.acceptRate;
      t.forwardRate += src.forwardRate;
    }
    t.deadLettersOpen += s.deadLetters.open;
  }
  return t;
}

/**
 * Every service of the fleet at once (in parallel, so one slow instance costs one timeout, not a
 * sum), each with its status or why it could not be read, and the totals. One unreachable service
 * never hides the others.
 */
export async function fleetStatus(connector: ServiceConnector, now: () => number = Date.now): Promise<FleetStatus> {
  const members = await Promise.all(
    connector.services().map(async ({ url, label }): Promise<FleetMember> => {
      try {
        const status = await connector.call(url, (c) => c.status());
        return { service: url, label, status, error: null, problems: statusProblems(status) };
      } catch (err) {
        const { code, message } = toErrorInfo(err);
        return { service: url, label, status: null, error: { code, message }, problems: ['unreachable'] };
      }
    }),
  );
  return { now: now(), members, totals: fleetTotals(members) };
}
