import { isAppUrl } from './trusted-url.js';

/** What main knows about the caller of an IPC handler (from IpcMainInvokeEvent). */
export interface SenderFacts {
  /** webContents id of the sender. */
  webContentsId: number;
  /** URL of the frame that sent it (undefined when the frame is gone). */
  frameUrl: string | undefined;
  /** True for the top frame of its window. */
  isMainFrame: boolean;
}

/**
 * An IPC call is trusted only when it comes from a window the console created (its webContents id
 * registered at creation), from that window's top frame, showing one of the console's own pages.
 * An iframe, a navigated-away window or any other webContents is refused. Pure.
 */
export function isTrustedSender(facts: SenderFacts, trustedIds: ReadonlySet<number>, appOrigin: string): boolean {
  return trustedIds.has(facts.webContentsId) && facts.isMainFrame && isAppUrl(facts.frameUrl, appOrigin);
}
