import { join } from 'node:path';
import { ensureOwnerOnlyDir, writeSecretFile } from '../../../shared/secret-files/index.js';

/** Where `subscription: log` leaves a SubscribeURL for a person: dataDir/sns-pending/<source>.url. */
export function pendingSubscriptionPath(dataDir: string, sourceId: string): string {
  return join(dataDir, 'sns-pending', `${sourceId}.url`);
}

/**
 * Keeps a verified SubscribeURL for an operator to visit (`subscription: log`) in an owner-only file
 * rather than in the log: the URL carries the confirmation token, and log collectors keep what they
 * see. Written through the one owner-only file helper (fresh 0600 file renamed into place).
 * Returns the file's path, which is what gets logged.
 */
export function writePendingSubscription(dataDir: string, sourceId: string, subscribeUrl: string): string {
  const file = pendingSubscriptionPath(dataDir, sourceId);
  ensureOwnerOnlyDir(join(dataDir, 'sns-pending'));
  writeSecretFile(file, `${subscribeUrl}\n`);
  return file;
}
