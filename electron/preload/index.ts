import { contextBridge, ipcRenderer } from 'electron';
import { API_METHODS, type SealpostApi } from '../../shared/console-api/api.js';
import type { ArgsIn, Channel, ResultOf } from '../../shared/console-api/contract.js';
import type { Reply } from '../../shared/console-api/types.js';

/** Typed from the contract: a channel only accepts its own arguments and yields its own result. */
function invoke<C extends Channel>(channel: C, args: ArgsIn<C> | undefined): Promise<Reply<ResultOf<C>>> {
  return ipcRenderer.invoke(channel, args) as Promise<Reply<ResultOf<C>>>;
}

/**
 * The whole bridge: one method per operation, nothing else (no generic send, no ipcRenderer, no
 * process.env). `satisfies` ties it to SealpostApi, so a contract change breaks this build.
 */
const api = {
  connect: (args) => invoke(API_METHODS.connect, args),
  disconnect: () => invoke(API_METHODS.disconnect, undefined),
  listTopics: (args) => invoke(API_METHODS.listTopics, args),
  topicPartitions: (args) => invoke(API_METHODS.topicPartitions, args),
  groupLag: (args) => invoke(API_METHODS.groupLag, args),
  previewOffsetReset: (args) => invoke(API_METHODS.previewOffsetReset, args),
  applyOffsetReset: (args) => invoke(API_METHODS.applyOffsetReset, args),
  messageWindow: (args) => invoke(API_METHODS.messageWindow, args),
  messageDetail: (args) => invoke(API_METHODS.messageDetail, args),
  startScan: (args) => invoke(API_METHODS.startScan, args),
  scanProgress: (args) => invoke(API_METHODS.scanProgress, args),
  cancelScan: (args) => invoke(API_METHODS.cancelScan, args),
  decrypt: (args) => invoke(API_METHODS.decrypt, args),
  accessMatrix: (args) => invoke(API_METHODS.accessMatrix, args),
  listProfiles: () => invoke(API_METHODS.listProfiles, undefined),
  exportRows: (args) => invoke(API_METHODS.exportRows, args),
  getSettings: () => invoke(API_METHODS.getSettings, undefined),
  setSettings: (args) => invoke(API_METHODS.setSettings, args),
  serviceState: () => invoke(API_METHODS.serviceState, undefined),
  connectService: (args) => invoke(API_METHODS.connectService, args),
  disconnectService: (args) => invoke(API_METHODS.disconnectService, args),
  serviceStatus: (args) => invoke(API_METHODS.serviceStatus, args),
  serviceHistory: (args) => invoke(API_METHODS.serviceHistory, args),
  fleetStatus: () => invoke(API_METHODS.fleetStatus, undefined),
  listBacklog: (args) => invoke(API_METHODS.listBacklog, args),
  drainBacklog: (args) => invoke(API_METHODS.drainBacklog, args),
  pauseSource: (args) => invoke(API_METHODS.pauseSource, args),
  resumeSource: (args) => invoke(API_METHODS.resumeSource, args),
  listDeadLetters: (args) => invoke(API_METHODS.listDeadLetters, args),
  redriveDeadLetter: (args) => invoke(API_METHODS.redriveDeadLetter, args),
  discardDeadLetter: (args) => invoke(API_METHODS.discardDeadLetter, args),
  startReplay: (args) => invoke(API_METHODS.startReplay, args),
  listReplays: (args) => invoke(API_METHODS.listReplays, args),
  replayStatus: (args) => invoke(API_METHODS.replayStatus, args),
  cancelReplay: (args) => invoke(API_METHODS.cancelReplay, args),
  queryAudit: (args) => invoke(API_METHODS.queryAudit, args),
  activityOverview: (args) => invoke(API_METHODS.activityOverview, args),
  activityLinks: (args) => invoke(API_METHODS.activityLinks, args),
  activityTimeline: (args) => invoke(API_METHODS.activityTimeline, args),
  listSuppressions: (args) => invoke(API_METHODS.listSuppressions, args),
  suppressionCounts: (args) => invoke(API_METHODS.suppressionCounts, args),
  removeSuppression: (args) => invoke(API_METHODS.removeSuppression, args),
  exportSuppressions: (args) => invoke(API_METHODS.exportSuppressions, args),
  forgetSubject: (args) => invoke(API_METHODS.forgetSubject, args),
  queryEvents: (args) => invoke(API_METHODS.queryEvents, args),
  openEvents: (args) => invoke(API_METHODS.openEvents, args),
} satisfies SealpostApi;

contextBridge.exposeInMainWorld('sealpost', api);
