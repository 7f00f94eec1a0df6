import { writeSecretFile } from '../../../shared/secret-files/index.js';

/**
 * Writes a console export where the operator chose: decrypted exports hold personal data, so the file
 * is always a fresh 0600 one renamed into place. Writing over an existing file (`mode: 0o600` applies
 * only on create) would keep its old, often world-readable, mode; a planted symlink is replaced, not
 * written through. Kept apart from the dialog so it is testable without Electron.
 */
export function writeExportFile(path: string, content: string): void {
  writeSecretFile(path, content);
}
