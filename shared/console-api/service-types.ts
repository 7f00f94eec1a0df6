/**
 * What the console's service channels answer. The admin API's own answers are passed through as
 * the admin contract types them; the console adds only its connection state. No token and no
 * credential is ever part of these.
 */
import type { SessionView, StatusResponse } from '../admin-api/types.js';

export type {
  AuditEventView,
  AuditQueryResponse,
  BacklogResponse,
  DeadLetterView,
  DiscardResponse,
  DrainResponse,
  ForgetResponse,
  EventHit,
  EventQueryResponse,
  HistoryResponse,
  RedriveResponse,
  ReplayJob,
  SessionView,
  SourceStateResponse,
  SourceStatus,
  StatusResponse,
} from '../admin-api/types.js';
export type { AdminPermission, AdminRole } from '../admin-api/roles.js';

/** A service connection as the renderer may see it: where and how, never the token itself. */
export interface ServiceConnectionView {
  url: string;
  serverId: string | null;
  auth: 'aws' | 'token';
  /** AWS profile used to sign in (aws), null for a token. */
  profile: string | null;
  region: string | null;
  stsEndpoint: string | null;
  hasCa: boolean;
  /** A token is stored, sealed by the OS keychain. */
  tokenSaved: boolean;
}

/** How the console's reports of its own decryptions and exports are going (best effort, never blocking). */
export interface AuditReportState {
  reported: number;
  failed: number;
  /** Waiting to be sent. */
  queued: number;
  /** The latest report that failed, with why; cleared by the next success. */
  lastFailure: { code: string; message: string; at: number; action: string } | null;
}

/** A service the console is signed in to: where, how, and who the service says we are. */
export type ConnectedService = ServiceConnectionView & { session: SessionView };

export interface ServiceState {
  /** The fleet remembered for next time (signed in or not), in the order it was added. */
  saved: ServiceConnectionView[];
  /** The services signed in to now, in the order they were signed in to. */
  connected: ConnectedService[];
  /** The service the console's decrypt/export reports go to (the first signed in), or null. */
  auditService: string | null;
  audit: AuditReportState;
  /** Whether a pasted token can be kept (OS keychain available). */
  secretsEncrypted: boolean;
}

/** One service of the fleet as Backlog shows it: its status, or why it could not be read. */
export interface FleetMember {
  /** The admin URL every call to it names. */
  service: string;
  /** Its server id, or the URL when it has none. */
  label: string;
  status: StatusResponse | null;
  error: { code: string; message: string } | null;
  /** What is wrong with it in a few words (unreachable, Kafka unreachable, sealing keys failing...); empty when healthy. */
  problems: string[];
}

/** The fleet added up: what an on-call operator reads first when there are several instances. */
export interface FleetTotals {
  services: number;
  /** Services that answered the status call. */
  reachable: number;
  /** Services with no problem. */
  healthy: number;
  /** Journal entries not yet in Kafka, over the reachable services. */
  pending: number;
  /** The oldest waiting entry of any service, in seconds; null when nothing waits. */
  oldestPendingAgeSeconds: number | null;
  acceptRate: number;
  forwardRate: number;
  deadLettersOpen: number;
}

export interface FleetStatus {
  now: number;
  members: FleetMember[];
  totals: FleetTotals;
}
