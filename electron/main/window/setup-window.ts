import { fileURLToPath } from 'node:url';
import { BrowserWindow } from 'electron';

/**
 * The console window: sandboxed, isolated, no Node, the preload as its only bridge. Its webContents
 * id joins `trusted` (the IPC sender check) and leaves it when the window goes.
 */
export function setupWindow(opts: { url: string; trusted: Set<number>; devTools: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f1419',
    title: 'Sealpost console',
    webPreferences: {
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: opts.devTools,
    },
  });
  const id = win.webContents.id;
  opts.trusted.add(id);
  win.on('closed', () => opts.trusted.delete(id));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.url);
  return win;
}
