import type { z } from 'zod';
import * as s from './schemas.js';
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
