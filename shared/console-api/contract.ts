import type { z } from 'zod';
import * as s from './schemas.js';
import * as svc from './service-schemas.js';
import * as grp from './group-schemas.js';
import * as act from './activity-schemas.js';
import type * as at from './activity-types.js';
import type * as gt from './group-types.js';
import * as sup from './suppression-schemas.js';
import type * as supt from './suppression-types.js';
import type * as st from './service-types.js';
import type * as t from './types.js';

/**
 * The ONE console contract: channel -> argument schema, with the result type attached. Electron's
 * ipcMain.handle, the preload's ipcRenderer.invoke and the HTTP bridge are all typed from this
 * map, so the two sides of IPC cannot drift apart.
 */
export const CONTRACT = {
  'console:connect': { args: s.connectArgs, result: {} as t.ConnectResult },
  'console:disconnect': { args: s.noArgs, result: {} as { disconnected: boolean } },
  'topics:list': { args: s.topicsListArgs, result: {} as t.TopicSummary[] },
  'topic:partitions': { args: s.topicArgs, result: {} as t.TopicPartitions },
  'groups:lag': { args: s.topicArgs, result: {} as t.GroupLag[] },
  // Offset resets (issue 12): the same arguments preview (nothing written) and apply.
  'groups:reset-preview': { args: grp.offsetResetArgs, result: {} as gt.OffsetResetPlan },
  'groups:reset-apply': { args: grp.offsetResetArgs, result: {} as gt.OffsetResetPlan },
  'messages:window': { args: s.windowArgs, result: {} as t.MessageWindow },
  'message:detail': { args: s.detailArgs, result: {} as t.MessageDetail },
  'scan:start': { args: s.scanStartArgs, result: {} as t.ScanProgress },
  'scan:progress': { args: s.scanProgressArgs, result: {} as t.ScanProgress },
  'scan:cancel': { args: s.scanIdArgs, result: {} as t.ScanProgress },
  'messages:decrypt': { args: s.decryptArgs, result: {} as t.DecryptResult },
  'access:matrix': { args: s.accessMatrixArgs, result: {} as t.AccessMatrixView },
  'profiles:list': { args: s.noArgs, result: {} as t.ProfileInfo[] },
  export: { args: s.exportArgs, result: {} as t.ExportResult },
  'settings:get': { args: s.noArgs, result: {} as t.PublicSettings },
  'settings:set': { args: s.settingsPatchSchema, result: {} as t.PublicSettings },
  // The ingest services' admin APIs, through main (which holds the tokens / AWS credentials); each call names its service.
  'service:state': { args: s.noArgs, result: {} as st.ServiceState },
  'service:connect': { args: svc.serviceConnectArgs, result: {} as st.ServiceState },
  'service:disconnect': { args: svc.serviceDisconnectArgs, result: {} as st.ServiceState },
  'service:status': { args: svc.serviceTargetArgs, result: {} as st.StatusResponse },
  'service:history': { args: svc.serviceTargetArgs, result: {} as st.HistoryResponse },
  // Every service of the fleet at once, with totals (the Backlog page's poll).
  'fleet:status': { args: s.noArgs, result: {} as st.FleetStatus },
  'backlog:list': { args: svc.backlogListArgs, result: {} as st.BacklogResponse },
  'backlog:drain': { args: svc.drainArgs, result: {} as st.DrainResponse },
  'source:pause': { args: svc.sourceArgs, result: {} as st.SourceStateResponse },
  'source:resume': { args: svc.sourceArgs, result: {} as st.SourceStateResponse },
  'dead-letters:list': { args: svc.deadLetterListArgs, result: {} as st.DeadLetterView[] },
  'dead-letter:redrive': { args: svc.deadLetterIdArgs, result: {} as st.RedriveResponse },
  'dead-letter:discard': { args: svc.discardArgs, result: {} as st.DiscardResponse },
  'replay:start': { args: svc.replayStartArgs, result: {} as st.ReplayJob },
  'replay:list': { args: svc.serviceTargetArgs, result: {} as st.ReplayJob[] },
  'replay:status': { args: svc.replayIdArgs, result: {} as st.ReplayJob },
  'replay:cancel': { args: svc.replayIdArgs, result: {} as st.ReplayJob },
  'audit:query': { args: svc.auditQueryArgs, result: {} as st.AuditQueryResponse },
  // Email activity (issue 13): counts from a service, its clicked links opened as the operator, one person's timeline.
  'activity:overview': { args: act.activityOverviewArgs, result: {} as at.ActivityOverview },
  'activity:links': { args: act.activityLinksArgs, result: {} as at.ActivityLinks },
  'activity:timeline': { args: act.timelineArgs, result: {} as at.Timeline },
  // The suppression list (issue 13): searched by address (main hashes it), addresses opened with the viewing identity.
  'suppressions:list': { args: sup.suppressionListArgs, result: {} as supt.SuppressionListResult },
  'suppressions:counts': { args: sup.suppressionCountsArgs, result: {} as supt.SuppressionCountsResponse },
  'suppressions:remove': { args: sup.suppressionRemoveArgs, result: {} as supt.SuppressionEntry },
  'suppressions:export': { args: sup.suppressionExportArgs, result: {} as t.ExportResult },
  // Forget a person (docs/forget.md): main passes the address to the service, which keeps only its blind index.
  'subject:forget': { args: svc.forgetArgs, result: {} as st.ForgetResponse },
  // The audit query over events sources (issue 13); sections opened in main with the operator's identity, audited.
  'events:query': { args: svc.eventQueryArgs, result: {} as st.EventQueryResponse },
  'events:open': { args: svc.eventOpenArgs, result: {} as t.DecryptResult },
} as const;

export type Channel = keyof typeof CONTRACT;
export const CHANNELS = Object.keys(CONTRACT) as Channel[];

/** What a caller passes (defaults may be omitted). */
export type ArgsIn<C extends Channel> = z.input<(typeof CONTRACT)[C]['args']>;
/** What a handler receives, after parsing (defaults filled in). */
export type ArgsOf<C extends Channel> = z.output<(typeof CONTRACT)[C]['args']>;
export type ResultOf<C extends Channel> = (typeof CONTRACT)[C]['result'];

/** The Node side implements this: one async function per channel, on parsed arguments. */
export type ConsoleHandlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

/** True when `value` names a channel of the contract (for the HTTP bridge's route parameter). */
export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONTRACT, value);
}
