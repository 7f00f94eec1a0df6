import { join } from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import { writeExportFile } from '../core/export/write-export.js';

/**
 * Asks where to save an export and writes it with writeExportFile (a fresh 0600 file, whatever was
 * there: decrypted exports hold personal data). Returns the path, or null when the user cancelled.
 */
export async function saveExportWithDialog(fileName: string, content: string): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const ext = fileName.endsWith('.csv') ? 'csv' : 'json';
  const options = {
    title: 'Export visible rows',
    defaultPath: join(app.getPath('downloads'), fileName),
    filters: [{ name: ext.toUpperCase(), extensions: [ext] }],
  };
  const res = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  if (res.canceled || !res.filePath) return null;
  writeExportFile(res.filePath, content);
  return res.filePath;
}
