import type { ArgsIn, Channel, ResultOf } from './contract.js';
import type { Reply } from './types.js';

/**
 * The methods of `window.sealpost`, one per operation, each bound to its channel. The preload and
 * the browser adapter both build their object from this table and check it with `satisfies SealpostApi`.
 * Kept apart from the schemas (type-only imports) so the preload and the renderer bundle no zod.
 */
export const API_METHODS = {
  connect: 'console:connect',
  disconnect: 'console:disconnect',
  listTopics: 'topics:list',
  topicPartitions: 'topic:partitions',
  groupLag: 'groups:lag',
  previewOffsetReset: 'groups:reset-preview',
  applyOffsetReset: 'groups:reset-apply',
  messageWindow: 'messages:window',
  messageDetail: 'message:detail',
  startScan: 'scan:start',
  scanProgress: 'scan:progress',
  cancelScan: 'scan:cancel',
  decrypt: 'messages:decrypt',
  accessMatrix: 'access:matrix',
  listProfiles: 'profiles:list',
  exportRows: 'export',
  getSettings: 'settings:get',
  setSettings: 'settings:set',
  serviceState: 'service:state',
  connectService: 'service:connect',
  disconnectService: 'service:disconnect',
  serviceStatus: 'service:status',
  serviceHistory: 'service:history',
  fleetStatus: 'fleet:status',
  listBacklog: 'backlog:list',
  drainBacklog: 'backlog:drain',
  pauseSource: 'source:pause',
  resumeSource: 'source:resume',
  listDeadLetters: 'dead-letters:list',
  redriveDeadLetter: 'dead-letter:redrive',
  discardDeadLetter: 'dead-letter:discard',
  startReplay: 'replay:start',
  listReplays: 'replay:list',
  replayStatus: 'replay:status',
  cancelReplay: 'replay:cancel',
  queryAudit: 'audit:query',
  activityOverview: 'activity:overview',
  activityLinks: 'activity:links',
  activityTimeline: 'activity:timeline',
  listSuppressions: 'suppressions:list',
  suppressionCounts: 'suppressions:counts',
  removeSuppression: 'suppressions:remove',
  exportSuppressions: 'suppressions:export',
  forgetSubject: 'subject:forget',
  queryEvents: 'events:query',
  openEvents: 'events:open',
} as const satisfies Record<string, Channel>;

export type ApiMethod = keyof typeof API_METHODS;

/** The narrow API the preload puts on `window.sealpost`. Errors come back as values (see Reply). */
export type SealpostApi = {
  readonly [M in ApiMethod]: undefined extends ArgsIn<(typeof API_METHODS)[M]>
    ? (args?: ArgsIn<(typeof API_METHODS)[M]>) => Promise<Reply<ResultOf<(typeof API_METHODS)[M]>>>
    : (args: ArgsIn<(typeof API_METHODS)[M]>) => Promise<Reply<ResultOf<(typeof API_METHODS)[M]>>>;
};
