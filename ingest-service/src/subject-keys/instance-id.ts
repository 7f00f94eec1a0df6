import { randomBytes } from 'node:crypto';

/**
 * The id of one running service process, written into every subject key record it makes
 * (`SubjectKeyRecord.instance`) so that its keys-topic follower can recognise its own keys. Random per
 * process start, never a host name: nothing about the machine reaches Kafka, and a restarted process
 * holds no key of the old one (its expand cache died with it). Made once in the main thread
 * (service.ts) and handed to the expand workers (ExpandWorkerInit.instance) and to the follower.
 */
export function createInstanceId(): string {
  return randomBytes(12).toString('base64url');
}
