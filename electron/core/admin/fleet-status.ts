import type { FleetMember, FleetStatus, FleetTotals, StatusResponse } from '../../../shared/console-api/service-types.js';
import { toErrorInfo } from '../../../shared/console-api/dispatch.js';
import { SERVICE_ERRORS, serviceSlow } from './errors.js';
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

/** How long the fleet status waits for one service before showing it as not answering. */
export const FLEET_STATUS_DEADLINE_MS = 5_000;

/**
 * Every service of the fleet at once (in parallel), each with its status or why it could not be
 * read, and the totals. A service that does not answer within the deadline is shown as such, so one
 * stalled instance (its admin client waits up to a minute) never freezes the others; its status call
 * keeps running, and the next polls wait on that same call instead of piling up new ones.
 */
export function createFleetStatus(connector: ServiceConnector, opts: { deadlineMs?: number; now?: () => number } = {}) {
  const deadlineMs = opts.deadlineMs ?? FLEET_STATUS_DEADLINE_MS;
  const now = opts.now ?? Date.now;
  const inflight = new Map<string, Promise<StatusResponse>>();
  const statusOf = (url: string): Promise<StatusResponse> => {
    let p = inflight.get(url);
    if (!p) {
      p = connector.call(url, (c) => c.status()).finally(() => inflight.delete(url));
      inflight.set(url, p);
    }
    return p;
  };
  const withDeadline = (url: string): Promise<StatusResponse> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(serviceSlow(url, deadlineMs)), deadlineMs);
    });
    return Promise.race([statusOf(url), late]).finally(() => clearTimeout(timer));
  };

  return async (): Promise<FleetStatus> => {
    const members = await Promise.all(
      connector.services().map(async ({ url, label }): Promise<FleetMember> => {
        try {
          const status = await withDeadline(url);
          return { service: url, label, status, error: null, problems: statusProblems(status) };
        } catch (err) {
          const { code, message } = toErrorInfo(err);
          return { service: url, label, status: null, error: { code, message }, problems: [code === SERVICE_ERRORS.slow ? 'not answering' : 'unreachable'] };
        }
      }),
    );
    return { now: now(), members, totals: fleetTotals(members) };
  };
}
