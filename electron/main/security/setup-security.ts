import { app, session, shell } from 'electron';
import { contentSecurityPolicy } from './csp.js';
import { safeExternalUrl } from './trusted-url.js';

/**
 * The one security module, loaded first: sandbox for every renderer, no navigation, no new windows
 * (https links go to the system browser, parsed first), no <webview>, every permission request
 * refused, and the CSP on every response the default session serves (the dev server included).
 */
export function setupSecurity(opts: { devServer?: string }): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const safe = safeExternalUrl(url);
      if (safe) void shell.openExternal(safe.toString());
      return { action: 'deny' };
    });
  });
  const csp = contentSecurityPolicy(opts.devServer ? { devServer: opts.devServer } : {});
  void app.whenReady().then(() => {
    const s = session.defaultSession;
    s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    s.setPermissionCheckHandler(() => false);
    s.setDevicePermissionHandler(() => false);
    s.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  });
}
