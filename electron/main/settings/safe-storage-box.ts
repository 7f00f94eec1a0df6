import { safeStorage } from 'electron';
import type { SecretBox } from '../../core/settings/settings-store.js';

/**
 * Saved passwords through the OS keychain (Keychain, DPAPI, libsecret/kwallet). On Linux without a
 * keyring Electron falls back to a hard-coded key ("basic_text"): that is not protection, so then
 * the box reports itself unavailable and passwords are not saved.
 */
export function safeStorageBox(): SecretBox {
  return {
    available: () =>
      safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
