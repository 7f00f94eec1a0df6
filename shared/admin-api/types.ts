import type { z } from 'zod';
import type * as s from './schemas.js';

/** Types of the admin API's bodies and answers, inferred from the schemas (one source of truth). */
export type LoginRequest = z.output<typeof s.loginRequest>;
export type LoginResponse = z.output<typeof s.loginResponse>;
export type SessionView = z.output<typeof s.sessionView>;
export type IdentityView = z.output<typeof s.identityView>;
export type StatusResponse = z.output<typeof s.statusResponse>;
export type SourceStatus = z.output<typeof s.sourceStatus>;
export type HistoryResponse = z.output<typeof s.historyResponse>;
export type BacklogQuery = z.input<typeof s.backlogQuery>;
export type BacklogResponse = z.output<typeof s.backlogResponse>;
export type BacklogEntry = z.output<typeof s.backlogEntry>;
export type DeadLetterQuery = z.input<typeof s.deadLetterQuery>;
export type DeadLetterView = z.output<typeof s.deadLetterView>;
export type DrainRequest = z.input<typeof s.drainRequest>;
export type DrainResponse = z.output<typeof s.drainResponse>;
export type SourceStateResponse = z.output<typeof s.sourceStateResponse>;
export type RedriveResponse = z.output<typeof s.redriveResponse>;
export type DiscardResponse = z.output<typeof s.discardResponse>;
export type ReplayPosition = z.output<typeof s.replayPosition>;
export type ReplayRange = z.output<typeof s.replayRange>;
export type ReplayRequest = z.input<typeof s.replayRequest>;
export type ReplayJob = z.output<typeof s.replayJob>;
export type AuditOutcome = (typeof s.AUDIT_OUTCOMES)[number];
export type ReportedAction = (typeof s.REPORTED_ACTIONS)[number];
export type AuditRecordRequest = z.input<typeof s.auditRecordRequest>;
export type AuditRecordResponse = z.output<typeof s.auditRecordResponse>;
export type AuditQuery = z.input<typeof s.auditQuery>;
export type AuditQueryResponse = z.output<typeof s.auditQueryResponse>;
export type AuditEventView = z.output<typeof s.auditEventView>;
export type EventQuery = z.input<typeof s.eventQuery>;
export type EventQueryResponse = z.output<typeof s.eventQueryResponse>;
export type EventHit = z.output<typeof s.eventHit>;
export type ClearDetails = z.output<typeof s.clearDetails>;
export type ActivitySeriesQuery = z.input<typeof s.activitySeriesQuery>;
export type ActivityTotalsQuery = z.input<typeof s.activityTotalsQuery>;
export type ActivitySeriesResponse = z.output<typeof s.activitySeriesResponse>;
export type ActivityFunnelResponse = z.output<typeof s.activityFunnelResponse>;
export type ActivityBreakdownResponse = z.output<typeof s.activityBreakdownResponse>;
export type ActivityLinksResponse = z.output<typeof s.activityLinksResponse>;
export type SuppressionEntry = z.output<typeof s.suppressionEntry>;
export type SuppressionListQuery = z.input<typeof s.suppressionListQuery>;
export type SuppressionListResponse = z.output<typeof s.suppressionListResponse>;
export type SuppressionCountsQuery = z.input<typeof s.suppressionCountsQuery>;
export type SuppressionCountsResponse = z.output<typeof s.suppressionCountsResponse>;
export type SuppressionRemoveRequest = z.input<typeof s.suppressionRemoveRequest>;
export type SuppressionExportResponse = z.output<typeof s.suppressionExportResponse>;
export type ForgetRequest = z.input<typeof s.forgetRequest>;
export type ForgetResponse = z.output<typeof s.forgetResponse>;

/** The error body every non-2xx answer carries (SealpostError.toJSON()). */
export interface AdminErrorBody {
  error: { code: string; message: string; retriable: boolean; details?: Record<string, unknown> };
}
