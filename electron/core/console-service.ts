import type { ConsoleHandlers } from '../../shared/console-api/index.js';
import { activityHandlers } from './activity/activity-handlers.js';
import { createServiceModule, type ServiceChannel, type ServiceModuleOptions } from './admin/service-module.js';
import { eventChannels, type EventChannel } from './events/event-channels.js';
import { exportRecords } from './export/export-handler.js';
import { groupHandlers, type GroupChannel } from './groups/group-handlers.js';
import type { IdentityProvider } from './identity/identity.js';
import { identityHandlers } from './identity/identity-handlers.js';
import { createViewing } from './identity/viewing.js';
import type { MskTokenSigner } from './kafka/kafka-client.js';
import { createMessageChannels } from './messages/message-handlers.js';
import { createScanChannels } from './scan/scan-handlers.js';
import { createKafkaSession } from './session/kafka-session.js';
import { chooseKeysTopic } from './settings/keys-topic.js';
import { settingsHandlers } from './settings/settings-handlers.js';
import type { SettingsStore } from './settings/settings-store.js';
import { suppressionHandlers, type SuppressionChannel } from './suppressions/suppression-handlers.js';
import { topicHandlers } from './topics/topic-handlers.js';

export interface ConsoleServiceDeps {
  settings: SettingsStore;
  identities: IdentityProvider;
  /**
   * The blind indexer for recipient search as `profile` (the identity the operator views as); throws
   * an error saying what to configure, or why that profile may not have the key.
   */
  blindIndex(profile: string): Promise<(address: string) => string>;
  /** Writes an export where the user chooses (Electron's save dialog); absent: the content is returned. */
  saveExport?(fileName: string, content: string): Promise<string | null>;
  mskSigner?: MskTokenSigner;
  /** The ingest service's admin API (issue 5): where its connection is kept; default memory only. */
  service?: ServiceModuleOptions;
  /** Errors we did not raise on purpose, for the log (never shown to the renderer as they are). */
  onUnexpected?(err: unknown, where: string): void;
}

/**
 * The console's Node side: every channel of the contract on parsed arguments, with no Electron in
 * sight, so Electron main and the browser-test bridge run exactly the same code. Kafka errors are
 * turned into errors a person can act on; memory stays bounded (windows, capped scans, LRU records).
 * Each capability's channels live beside it (session/, topics/, messages/, scan/, identity/, settings/,
 * activity/, groups/, suppressions/, events/, admin/); this wires them to one connection and one service module.
 */
export function createConsoleService(deps: ConsoleServiceDeps): { handlers: ConsoleHandlers; close(): Promise<void> } {
  const saveExport = deps.saveExport ? { saveExport: deps.saveExport } : {};
  // Signing in to or out of a service can change the keys topic the connection follows (its subjectKeys.topic).
  const service = createServiceModule({ ...deps.service, onFleetChange: () => session.followKeys() });
  /** The keys topic v2 sections open through: set in Settings, else the first signed-in service's, else the default. */
  const keysTopic = () => chooseKeysTopic(deps.settings.get().subjectKeysTopicSet, service.services());
  // Dropping the connection cancels its scans and forgets its records (both created below, used only on a disconnect).
  const session = createKafkaSession({
    settings: deps.settings,
    mskSigner: deps.mskSigner,
    keysTopic: () => keysTopic().subjectKeysTopic,
    async onDrop() {
      await scans.cancelAll().catch(() => {});
      messages.clear();
    },
  });
  const viewing = createViewing({ identities: deps.identities, settings: deps.settings, keys: () => session.current()?.keys });
  const { viewer, opener } = viewing;
  const messages = createMessageChannels({ kafkaCall: session.kafkaCall, read: session.read, blindIndex: deps.blindIndex, viewer, opener });
  const scans = createScanChannels({
    session,
    viewer,
    blindIndex: deps.blindIndex,
    onMatches: messages.remember,
    opener,
    // An opened-field scan decrypts every record it searches: each run is reported like a decryption.
    onOpenedRun: (run) => service.reportOpenedScan(run),
    onUnexpected: (err) => deps.onUnexpected?.(err, 'scan'),
  });

  const core: Omit<ConsoleHandlers, ServiceChannel | GroupChannel | SuppressionChannel | EventChannel> = {
    ...session.handlers,
    ...topicHandlers(session.kafkaCall),
    ...messages.handlers,
    ...scans.handlers,
    ...identityHandlers({ identities: deps.identities, window: messages.handlers['messages:window'], envelopesFor: messages.envelopesFor, openOptions: viewing.openOptions }),
    export: (args) => exportRecords({ envelopesFor: messages.envelopesFor, decryptRows: messages.decryptRows, ...saveExport }, args),
    ...settingsHandlers({ settings: deps.settings, keysTopic, followKeys: session.followKeys }),
    ...activityHandlers({ adminCall: service.adminCall, opener, read: session.read, blindIndex: deps.blindIndex, viewer }),
  };

  return {
    // Decryptions and exports are reported to the service's audit trail when one is connected.
    handlers: {
      ...service.audited(core),
      ...service.handlers,
      ...groupHandlers({ kafkaCall: (fn, topic) => session.kafkaCall((s) => fn(s.admin), topic), connected: service.connected, recordAudit: service.recordAudit }),
      ...suppressionHandlers({ call: service.call, blindIndex: deps.blindIndex, opener, viewer, report: service.report, ...saveExport }),
      ...eventChannels({ call: service.call, opener: (profile) => deps.identities.opener(profile), report: service.report }),
    },
    async close() {
      await service.close();
      await session.disconnect();
      await deps.identities.close();
    },
  };
}
