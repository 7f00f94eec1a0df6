import type { z } from 'zod';
import type { AdminPermission } from './roles.js';
import * as s from './schemas.js';

/**
 * The ONE admin API contract: operation -> method, path, permission, and the schemas of its params,
 * query, body and answer. The service registers its routes from this table and the Node client
 * builds its calls from it, so neither side can drift from the other.
 */
export const ADMIN_ROUTES = {
  login: { method: 'POST', path: '/admin/v1/login', permission: null, body: s.loginRequest, response: s.loginResponse },
  session: { method: 'GET', path: '/admin/v1/session', permission: 'any', response: s.sessionView },
  status: { method: 'GET', path: '/admin/v1/status', permission: 'status:read', response: s.statusResponse },
  history: { method: 'GET', path: '/admin/v1/status/history', permission: 'status:read', response: s.historyResponse },
  listBacklog: { method: 'GET', path: '/admin/v1/backlog', permission: 'backlog:read', query: s.backlogQuery, response: s.backlogResponse },
  drain: { method: 'POST', path: '/admin/v1/backlog/drain', permission: 'backlog:drain', body: s.drainRequest, response: s.drainResponse },
  pause: { method: 'POST', path: '/admin/v1/sources/:source/pause', permission: 'sources:pause', params: s.sourceParams, body: s.pauseRequest, response: s.sourceStateResponse },
  resume: { method: 'POST', path: '/admin/v1/sources/:source/resume', permission: 'sources:pause', params: s.sourceParams, body: s.emptyObject, response: s.sourceStateResponse },
  listDeadLetters: { method: 'GET', path: '/admin/v1/dead-letters', permission: 'dead-letters:read', query: s.deadLetterQuery, response: s.deadLettersResponse },
  redrive: { method: 'POST', path: '/admin/v1/dead-letters/:id/redrive', permission: 'dead-letters:redrive', params: s.deadLetterParams, body: s.emptyObject, response: s.redriveResponse },
  discard: { method: 'POST', path: '/admin/v1/dead-letters/:id/discard', permission: 'dead-letters:discard', params: s.deadLetterParams, body: s.discardRequest, response: s.discardResponse },
  replay: { method: 'POST', path: '/admin/v1/replays', permission: 'replay:run', body: s.replayRequest, response: s.replayJob },
  listReplays: { method: 'GET', path: '/admin/v1/replays', permission: 'replay:read', response: s.replayListResponse },
  replayStatus: { method: 'GET', path: '/admin/v1/replays/:id', permission: 'replay:read', params: s.replayParams, response: s.replayJob },
  cancelReplay: { method: 'POST', path: '/admin/v1/replays/:id/cancel', permission: 'replay:run', params: s.replayParams, body: s.emptyObject, response: s.replayJob },
  recordAudit: { method: 'POST', path: '/admin/v1/audit', permission: 'audit:record', body: s.auditRecordRequest, response: s.auditRecordResponse },
  queryAudit: { method: 'GET', path: '/admin/v1/audit', permission: 'audit:read', query: s.auditQuery, response: s.auditQueryResponse },
  // Email activity (docs/activity.md): counts only, so every role that reads status reads them.
  activitySeries: { method: 'GET', path: '/admin/v1/activity/series', permission: 'status:read', query: s.activitySeriesQuery, response: s.activitySeriesResponse },
  activityFunnel: { method: 'GET', path: '/admin/v1/activity/funnel', permission: 'status:read', query: s.activityTotalsQuery, response: s.activityFunnelResponse },
  activityBounces: { method: 'GET', path: '/admin/v1/activity/bounces', permission: 'status:read', query: s.activityTotalsQuery, response: s.activityBreakdownResponse },
  activityDeferrals: { method: 'GET', path: '/admin/v1/activity/deferrals', permission: 'status:read', query: s.activityTotalsQuery, response: s.activityBreakdownResponse },
  activityLinks: { method: 'GET', path: '/admin/v1/activity/links', permission: 'status:read', query: s.activityTotalsQuery, response: s.activityLinksResponse },
  listSuppressions: { method: 'GET', path: '/admin/v1/suppressions', permission: 'suppressions:read', query: s.suppressionListQuery, response: s.suppressionListResponse },
  suppressionCounts: { method: 'GET', path: '/admin/v1/suppressions/counts', permission: 'suppressions:read', query: s.suppressionCountsQuery, response: s.suppressionCountsResponse },
  exportSuppressions: { method: 'GET', path: '/admin/v1/suppressions/export', permission: 'suppressions:read', response: s.suppressionExportResponse },
  removeSuppression: { method: 'POST', path: '/admin/v1/suppressions/remove', permission: 'suppressions:remove', body: s.suppressionRemoveRequest, response: s.suppressionRemoveResponse },
  forgetSubject: { method: 'POST', path: '/admin/v1/subjects/forget', permission: 'subjects:forget', audit: 'forget', body: s.forgetRequest, response: s.forgetResponse },
  queryEvents: { method: 'POST', path: '/admin/v1/events/query', permission: 'audit:read', body: s.eventQuery, response: s.eventQueryResponse },
} as const satisfies Record<string, RouteSpec>;

/** The shape every entry of ADMIN_ROUTES has. `any` = any signed-in session; null = no session needed. */
export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  permission: AdminPermission | 'any' | null;
  /** Audit action of the operation, when its refusals (403, and 400 on input that breaks the schemas) are audited too. */
  audit?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
}

export type AdminOperation = keyof typeof ADMIN_ROUTES;
type Spec<O extends AdminOperation> = (typeof ADMIN_ROUTES)[O];
type Part<O extends AdminOperation, K extends 'params' | 'query' | 'body'> = Spec<O> extends Record<K, infer S extends z.ZodType> ? S : undefined;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type In<S> = S extends z.ZodType ? z.input<S> : undefined;

/** What a handler receives, parsed (defaults filled in). */
export interface AdminRequestOf<O extends AdminOperation> {
  params: Out<Part<O, 'params'>>;
  query: Out<Part<O, 'query'>>;
  body: Out<Part<O, 'body'>>;
}
/** What a caller passes (defaults may be omitted). */
export interface AdminRequestIn<O extends AdminOperation> {
  params: In<Part<O, 'params'>>;
  query: In<Part<O, 'query'>>;
  body: In<Part<O, 'body'>>;
}
export type AdminResponseOf<O extends AdminOperation> = z.output<Spec<O>['response']>;

/** Fills `:name` segments of a route path from params (URI-encoded). */
export function routePath(path: string, params: Record<string, string | number> | undefined): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(v));
  });
}
