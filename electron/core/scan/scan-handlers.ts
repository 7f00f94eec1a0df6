import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { KafkaSession } from '../session/kafka-session.js';
import { watermarks } from '../topics/topic-admin.js';
import { createScanRegistry, type ScanDeps } from './scan-registry.js';

/** The channels of whole-topic scans. */
export type ScanChannel = 'scan:start' | 'scan:progress' | 'scan:cancel';

export interface ScanHandlerDeps extends Omit<ScanDeps, 'cluster' | 'watermarks'> {
  /** The connection scans read on (its raw cluster; watermarks as Kafka calls). */
  session: Pick<KafkaSession, 'need' | 'kafkaCall'>;
  /** The profile a scan runs as (the one named, else the saved one, else local keys). */
  viewer(profile: string | undefined): string;
}

/** The scan channels over one registry of the connection's scans; cancelAll when the connection goes. */
export function createScanChannels(deps: ScanHandlerDeps) {
  const { session, viewer, ...rest } = deps;
  const scans = createScanRegistry({
    ...rest,
    cluster: () => session.need().cluster,
    watermarks: (topic) => session.kafkaCall((s) => watermarks(s.admin, topic), topic),
  });
  const handlers: Pick<ConsoleHandlers, ScanChannel> = {
    'scan:start': (args) => scans.start({ ...args, profile: viewer(args.profile) }),
    'scan:progress': (args) => scans.progress(args),
    'scan:cancel': (args) => scans.cancel(args),
  };
  return { handlers, cancelAll: () => scans.cancelAll() };
}
