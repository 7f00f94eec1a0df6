import type { AuditRecordRequest } from '../../../shared/admin-api/types.js';
import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import { NO_SECRET_BOX, type SecretBox } from '../settings/settings-store.js';
import { createAuditReporter } from './audit-reporter.js';
import { openedScanEvent, withAuditReports, type ReportedChannel } from './audit-reports.js';
import type { OpenedRunReport } from '../scan/scan-registry.js';
import { createServiceConnector } from './service-connector.js';
import { serviceHandlers, type ServiceChannel } from './service-handlers.js';
import { createServiceStore } from './service-store.js';

export interface ServiceModuleOptions {
  /** Where the service connection is remembered (null: memory only) and what seals the pasted token. */
  file?: string | null;
  secrets?: SecretBox;
  /** AWS shared files and the STS endpoint role profiles use (tests, VPC endpoints). */
  aws?: { configFile?: string; credentialsFile?: string; profileStsEndpoint?: string };
  timeoutMs?: number;
  /** Called once a sign-in to or out of a service succeeded (the console follows the fleet's keys topic). */
  onFleetChange?: () => Promise<void>;
}

/**
 * The console's side of the ingest services (issue 5; a fleet since issue 9): the service channels,
 * and the audit reports of the console's own decryptions and exports. Plugged into
 * createConsoleService; no Electron.
 */
export function createServiceModule(opts: ServiceModuleOptions = {}) {
  const store = createServiceStore({ file: opts.file ?? null, secrets: opts.secrets ?? NO_SECRET_BOX });
  // Each refers to the other only inside callbacks, which run after both exist.
  const reporter = createAuditReporter({ send: (event) => live.callFirst((c) => c.recordAudit(event)) });
  const live = createServiceConnector({
    store,
    ...(opts.aws ? { aws: opts.aws } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    auditState: () => reporter.state(),
  });
  /** Reports only while a service is connected (to the first signed in to): with none, there is no trail to write to. */
  const report = (event: AuditRecordRequest): void => {
    if (live.connected()) reporter.report(event);
  };

  return {
    handlers: serviceHandlers(live, opts.onFleetChange) as Pick<ConsoleHandlers, ServiceChannel>,
    /** One admin call on the named service (pages whose handlers also need Kafka or an opener: Activity). */
    adminCall: <T>(service: string, fn: Parameters<typeof live.call<T>>[1]): Promise<T> => live.call(service, fn),
    /** The services signed in to, in order, with the keys topic each said it uses (the console follows the first's). */
    services: () => live.services(),
    /** True while a service is connected: actions that must be audited (offset resets) are refused without one. */
    connected: (): boolean => live.connected(),
    /**
     * Records an action that must not go unaudited and waits until the service has it (throws when it cannot),
     * unlike the best-effort reports of decryptions and exports.
     */
    recordAudit: async (event: AuditRecordRequest): Promise<void> => {
      await live.callFirst((c) => c.recordAudit(event));
    },
    /** The decrypt / export / access-matrix handlers, reporting each call to the audit trail. */
    audited: <H extends Pick<ConsoleHandlers, ReportedChannel>>(core: H): H => withAuditReports(core, report),
    /** One admin call on the named service (channels outside this module that reach a service: suppressions, the events query). */
    call: <T>(service: string, fn: Parameters<typeof live.call<T>>[1]): Promise<T> => live.call(service, fn),
    /** Reports one decryption or export the console did outside the wrapped handlers (best effort, never blocking). */
    report,
    /** Reports one run of an opened-field scan (it decrypts every record it searches), best effort like a decryption. */
    reportOpenedScan: (run: OpenedRunReport): void => report(openedScanEvent(run)),
    /** Waits for queued audit reports (tests; before quitting). */
    flushReports: () => reporter.flush(),
    async close(): Promise<void> {
      await Promise.race([reporter.flush(), new Promise((r) => setTimeout(r, 2_000).unref())]);
      live.disconnectAll();
    },
  };
}

export type ServiceModule = ReturnType<typeof createServiceModule>;
export type { ServiceChannel } from './service-handlers.js';
export { SERVICE_CHANNELS } from './service-handlers.js';
