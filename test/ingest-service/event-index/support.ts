// Audit events for the events-query tests: posted through a real `events` source, signed like any producer.
import { randomUUID } from 'node:crypto';
import type { EventQuery, EventQueryResponse } from '../../../shared/admin-api/types.js';
import { until } from '../../support/until.js';
import type { AdminTestService } from '../admin/support.js';

export const T0 = Date.parse('2024-03-01T00:00:00Z');
export const HOUR = 3_600_000;

/** An audit event as seed 002 describes them: common fields plus type-specific details (personal ones sealed). */
export function auditEvent(i: number, o: { type: string; subject: string; outcome?: string; producer?: string; extra?: Record<string, unknown> }) {
  return {
    id: randomUUID(),
    type: o.type,
    time: new Date(T0 + i * HOUR).toISOString(),
    source: o.producer ?? 'billing-svc',
    outcome: o.outcome ?? 'success',
    actor: `operator-${i}@corp.example`,
    subject: o.subject,
    details: { note: `private note ${i}`, ...o.extra },
  };
}

/** The admin API's events query as a raw HTTP call (status and JSON), to see exactly what a client sees. */
export async function postQuery(svc: AdminTestService, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${svc.admin.url}/admin/v1/events/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${svc.admin.localToken!.token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** Waits until the index answers `count` events for `query`. */
export async function indexed(svc: AdminTestService, count: number, query: EventQuery = {}): Promise<EventQueryResponse> {
  return until(`${count} events indexed`, () => svc.local().queryEvents({ limit: 500, ...query }), (r) => r.events.length >= count, {
    timeoutMs: 60_000,
    show: (r) => `${r.events.length} events; index ${JSON.stringify(r.index)}`,
  });
}
