/**
 * What the console's service channels answer. The admin API's own answers are passed through as
 * the admin contract types them; the console adds only its connection state. No token and no
 * credential is ever part of these.
 */
import type { SessionView } from '../admin-api/types.js';

export type {
  AuditEventView,
  AuditQueryResponse,
  BacklogResponse,
  DeadLetterView,
  DiscardResponse,
  DrainResponse,
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

export interface ServiceState {
  /** The connection remembered for next time, if any. */
  saved: ServiceConnectionView | null;
  /** The live connection and who the service says we are. */
  connected: (ServiceConnectionView & { session: SessionView }) | null;
  audit: AuditReportState;
  /** Whether a pasted token can be kept (OS keychain available). */
  secretsEncrypted: boolean;
}
