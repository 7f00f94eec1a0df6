import { randomBytes } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';

let id: string | undefined;

/**
 * The random id of this service process, named in every key record it makes (SubjectKeyRecord.instance):
 * not a host name, so it says nothing about where the service runs. Made once on the main thread and
 * handed to the expand workers, so every thread of one process names the same instance.
 */
export function processInstanceId(): string {
  if (!isMainThread) throw new Error('processInstanceId() is made on the main thread and passed to workers');
  return (id ??= randomBytes(12).toString('base64url'));
}
