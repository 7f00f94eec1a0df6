import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where `subscription: log` leaves a SubscribeURL for a person: dataDir/sns-pending/<source>.url. */
export function pendingSubscriptionPath(dataDir: string, sourceId: string): string {
  return join(dataDir, 'sns-pending', `${sourceId}.url`);
}

/**
 * Keeps a verified SubscribeURL for an operator to visit (`subscription: log`) in an owner-only file
 * rather than in the log: the URL carries the confirmation token, and log collectors keep what they
 * see. Written to a 0600 temporary file and renamed, so an existing file's mode never applies.
 * Returns the file's path, which is what gets logged.
 */
export function writePendingSubscription(dataDir: string, sourceId: string, subscribeUrl: string): string {
  const file = pendingSubscriptionPath(dataDir, sourceId);
  mkdirSync(join(dataDir, 'sns-pending'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${subscribeUrl}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}
