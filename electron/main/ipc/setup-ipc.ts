import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS, dispatch, untrustedReply, type ConsoleHandlers } from '../../../shared/console-api/index.js';
import { isTrustedSender, type SenderFacts } from '../security/sender.js';
import type { MainLog } from '../log.js';

/** What the sender check needs, read from Electron's event. */
export function senderFacts(event: IpcMainInvokeEvent): SenderFacts {
  const frame = event.senderFrame;
  return { webContentsId: event.sender.id, frameUrl: frame?.url, isMainFrame: frame ? frame.parent === null : false };
}

/**
 * One ipcMain.handle per channel of the contract. Each checks its sender (a window main created,
 * its top frame, on the app's origin), then `dispatch` parses the arguments with the channel's
 * schema before the handler sees them. Errors travel back as values.
 */
export function setupIpc(handlers: ConsoleHandlers, trusted: ReadonlySet<number>, appOrigin: string, log: MainLog): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, raw: unknown) => {
      if (!isTrustedSender(senderFacts(event), trusted, appOrigin)) {
        log.warn({ channel, webContentsId: event.sender.id }, 'refused IPC from an untrusted sender');
        return untrustedReply();
      }
      return dispatch(handlers, channel, raw, (err, ch) => log.error({ channel: ch, err }, 'unexpected error in a console handler'));
    });
  }
}
