import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ADMIN_ROUTES, routePath, type AdminOperation, type AdminRequestIn, type AdminResponseOf } from '../admin-api/routes.js';
import type * as t from '../admin-api/types.js';
import { profileCredentials } from '../decrypt/credentials.js';
import { SealpostError } from '../errors/index.js';
import { SIGN_IN_ERRORS } from './errors.js';
import { requestJson } from './http-json.js';
import { signLoginRequest } from './sign-login.js';

export interface AdminClientOptions {
  /** Base URL of the service's admin listener, e.g. https://ingest-1.internal:8788 */
  url: string;
  /** PEM CA certificate(s) to trust for the admin listener (private CA, self-signed). */
  ca?: string | Buffer;
  /** The server's id, as configured on the server (admin.serverId); needed by signIn. */
  serverId?: string;
  /** A token to start with: the local admin token, or a session token saved earlier. */
  token?: string;
  timeoutMs?: number;
}

/** How to get the credentials that sign the login: a named profile, or credentials directly (tests, SSO flows done elsewhere). */
export interface SignInWith {
  profile?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Region to sign for (and regional STS endpoint); default the global endpoint. */
  region?: string;
  /** STS endpoint to sign for; it must be allowlisted by the server. */
  stsEndpoint?: string;
  /** STS endpoint the profile's own role assumption uses (profiles with role_arn), when not AWS's. */
  profileStsEndpoint?: string;
}

/** The console's Node side talks to the admin API through this; one method per operation of the contract. */
export interface AdminClient {
  /** Signs sts:GetCallerIdentity with the profile and exchanges it for a session (kept by the client). */
  signIn(profile: string | SignInWith): Promise<t.LoginResponse>;
  /** Uses a token obtained elsewhere (the local admin token, or a saved session token). */
  useToken(token: string): void;
  /** The token in use (to save a session across console restarts), or undefined. */
  token(): string | undefined;
  session(): Promise<t.SessionView>;
  status(): Promise<t.StatusResponse>;
  history(): Promise<t.HistoryResponse>;
  listBacklog(query?: t.BacklogQuery): Promise<t.BacklogResponse>;
  listDeadLetters(query?: t.DeadLetterQuery): Promise<t.DeadLetterView[]>;
  drain(opts?: t.DrainRequest): Promise<t.DrainResponse>;
  pause(source: string, reason?: string): Promise<t.SourceStateResponse>;
  resume(source: string): Promise<t.SourceStateResponse>;
  redrive(id: number): Promise<t.RedriveResponse>;
  discard(id: number, reason: string): Promise<t.DiscardResponse>;
  replay(request: t.ReplayRequest): Promise<t.ReplayJob>;
  listReplays(): Promise<t.ReplayJob[]>;
  replayStatus(id: string): Promise<t.ReplayJob>;
  cancelReplay(id: string): Promise<t.ReplayJob>;
  recordAudit(event: t.AuditRecordRequest): Promise<t.AuditRecordResponse>;
  queryAudit(query?: t.AuditQuery): Promise<t.AuditQueryResponse>;
  activitySeries(query: t.ActivitySeriesQuery): Promise<t.ActivitySeriesResponse>;
  activityFunnel(query: t.ActivityTotalsQuery): Promise<t.ActivityFunnelResponse>;
  activityBounces(query: t.ActivityTotalsQuery): Promise<t.ActivityBreakdownResponse>;
  activityDeferrals(query: t.ActivityTotalsQuery): Promise<t.ActivityBreakdownResponse>;
  activityLinks(query: t.ActivityTotalsQuery): Promise<t.ActivityLinksResponse>;
  listSuppressions(query?: t.SuppressionListQuery): Promise<t.SuppressionListResponse>;
  suppressionCounts(query?: t.SuppressionCountsQuery): Promise<t.SuppressionCountsResponse>;
  exportSuppressions(): Promise<t.SuppressionExportResponse>;
  removeSuppression(request: t.SuppressionRemoveRequest): Promise<t.SuppressionEntry>;
  /** Forgets a person (admin): tombstones every subject key of the address; `reason` goes to the audit trail. */
  forgetSubject(address: string, reason: string): Promise<t.ForgetResponse>;
  queryEvents(query?: t.EventQuery): Promise<t.EventQueryResponse>;
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * A typed client of the admin API for the console's main process (Node: it holds AWS credentials
 * and the session token; the renderer only sees results). Every answer is checked against the
 * shared contract; every error is a SealpostError with the server's code and message, which say
 * what to do next (e.g. SP_ADMIN_SESSION_INVALID: sign in again).
 */
export function createAdminClient(opts: AdminClientOptions): AdminClient {
  const base = new URL(opts.url);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let token = opts.token;

  async function call<O extends AdminOperation>(op: O, input: Partial<AdminRequestIn<O>> = {}, extraTimeoutMs = 0): Promise<AdminResponseOf<O>> {
    const spec = ADMIN_ROUTES[op];
    if (spec.permission !== null && !token) {
      throw new SealpostError(SIGN_IN_ERRORS.notSignedIn, `${op} needs a session: call signIn(profile) first (or useToken with the local admin token)`);
    }
    const url = new URL(routePath(spec.path, input.params as Record<string, string | number> | undefined) + queryString(input.query as Record<string, unknown> | undefined), base);
    const answer = await requestJson(url, {
      method: spec.method,
      ...(spec.method === 'POST' ? { body: input.body ?? {} } : {}),
      ...(token && spec.permission !== null ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      timeoutMs: timeoutMs + extraTimeoutMs,
    });
    if (answer.status < 200 || answer.status >= 300) {
      const e = (answer.body as t.AdminErrorBody | null)?.error;
      if (e && typeof e.code === 'string') {
        throw new SealpostError(e.code, e.message, { status: answer.status, retriable: Boolean(e.retriable), ...(e.details ? { details: e.details } : {}) });
      }
      throw new SealpostError(SIGN_IN_ERRORS.badAnswer, `${url.origin} answered ${answer.status} without a Sealpost error body; is this the admin listener?`, { status: answer.status });
    }
    const parsed = spec.response.safeParse(answer.body);
    if (!parsed.success) {
      throw new SealpostError(SIGN_IN_ERRORS.badAnswer, `${op}: the answer does not match the admin API contract (${parsed.error.issues[0]?.message ?? 'invalid'}); are the console and the service the same version?`);
    }
    return parsed.data as AdminResponseOf<O>;
  }

  return {
    async signIn(profile) {
      const w: SignInWith = typeof profile === 'string' ? { profile } : profile;
      if (!opts.serverId) throw new SealpostError(SIGN_IN_ERRORS.credentials, 'signIn needs the server id (createAdminClient({ serverId })): the value of admin.serverId on the server');
      const credentials =
        w.credentials ??
        profileCredentials({ ...(w.profile ? { profile: w.profile } : {}), region: w.region ?? 'us-east-1', ...(w.profileStsEndpoint ? { stsEndpoint: w.profileStsEndpoint } : {}) });
      let login: t.LoginRequest;
      try {
        login = await signLoginRequest({
          credentials,
          serverId: opts.serverId,
          ...(w.region ? { region: w.region } : {}),
          ...(w.stsEndpoint ? { stsEndpoint: w.stsEndpoint } : {}),
        });
      } catch (err) {
        throw new SealpostError(SIGN_IN_ERRORS.credentials, `cannot get credentials for ${w.profile ? `profile "${w.profile}"` : 'the default profile'}: ${(err as Error).message} (for SSO profiles run: aws sso login${w.profile ? ` --profile ${w.profile}` : ''})`, { cause: err });
      }
      const r = await call('login', { body: login });
      token = r.token;
      return r;
    },
    useToken(t) {
      token = t;
    },
    token: () => token,
    session: () => call('session'),
    status: () => call('status'),
    history: () => call('history'),
    listBacklog: (query = {}) => call('listBacklog', { query }),
    listDeadLetters: async (query = {}) => (await call('listDeadLetters', { query })).deadLetters,
    drain: (o = {}) => call('drain', { body: o }, o.timeoutMs ?? 30_000),
    pause: (source, reason) => call('pause', { params: { source }, body: reason ? { reason } : {} }),
    resume: (source) => call('resume', { params: { source }, body: {} }),
    redrive: (id) => call('redrive', { params: { id }, body: {} }),
    discard: (id, reason) => call('discard', { params: { id }, body: { reason } }),
    replay: (request) => call('replay', { body: request }),
    listReplays: async () => (await call('listReplays')).jobs,
    replayStatus: (id) => call('replayStatus', { params: { id } }),
    cancelReplay: (id) => call('cancelReplay', { params: { id }, body: {} }),
    recordAudit: (event) => call('recordAudit', { body: event }),
    queryAudit: (query = {}) => call('queryAudit', { query }),
    activitySeries: (query) => call('activitySeries', { query }),
    activityFunnel: (query) => call('activityFunnel', { query }),
    activityBounces: (query) => call('activityBounces', { query }),
    activityDeferrals: (query) => call('activityDeferrals', { query }),
    activityLinks: (query) => call('activityLinks', { query }),
    listSuppressions: (query = {}) => call('listSuppressions', { query }),
    suppressionCounts: (query = {}) => call('suppressionCounts', { query }),
    exportSuppressions: () => call('exportSuppressions'),
    removeSuppression: async (request) => (await call('removeSuppression', { body: request })).entry,
    forgetSubject: (address, reason) => call('forgetSubject', { body: { address, reason } }),
    queryEvents: (query = {}) => call('queryEvents', { body: query }),
  };
}
