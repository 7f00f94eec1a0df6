import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { createConsoleService } from '../core/console-service.js';
import { createBlindIndexResolver } from '../core/identity/blind-index-key.js';
import { createProfileIdentities } from '../core/identity/profile-identities.js';
import { createSettingsStore } from '../core/settings/settings-store.js';
import { saveExportWithDialog } from './export-dialog.js';
import { setupIpc } from './ipc/setup-ipc.js';
import { createMainLog } from './log.js';
import { registerAppScheme, setupAppProtocol } from './security/app-protocol.js';
import { setupSecurity } from './security/setup-security.js';
import { APP_ORIGIN } from './security/trusted-url.js';
import { safeStorageBox } from './settings/safe-storage-box.js';
import { setupWindow } from './window/setup-window.js';

// Main boots as a flat list of setup steps; each owns one concern.
const devServer = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appOrigin = devServer ? new URL(devServer).origin : APP_ORIGIN;
const log = createMainLog();
const trusted = new Set<number>();

setupSecurity(devServer ? { devServer } : {});
registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();

void app.whenReady().then(() => {
  setupAppProtocol(fileURLToPath(new URL('../renderer', import.meta.url)));
  const secrets = safeStorageBox();
  const settings = createSettingsStore({ file: join(app.getPath('userData'), 'settings.json'), secrets });
  const identities = createProfileIdentities({ settings });
  const service = createConsoleService({
    settings,
    identities,
    // Recipient search as the profile the operator views as: a KMS-wrapped key is unwrapped with its credentials.
    blindIndex: createBlindIndexResolver(settings, identities),
    saveExport: saveExportWithDialog,
    // The ingest service's admin connection (issue 5): remembered beside the settings, its token sealed by the keychain.
    service: { file: join(app.getPath('userData'), 'service.json'), secrets },
    onUnexpected: (err, where) => log.error({ err, where }, 'unexpected error'),
  });
  setupIpc(service.handlers, trusted, appOrigin, log);
  const open = () => setupWindow({ url: devServer ?? `${APP_ORIGIN}/index.html`, trusted, devTools: !app.isPackaged });
  open();
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && open());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => void service.close());
});
