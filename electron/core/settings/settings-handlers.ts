import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { PublicSettings } from '../../../shared/console-api/types.js';
import type { KeysTopicChoice } from './keys-topic.js';
import type { SettingsStore } from './settings-store.js';

/** The channels of the Settings page. */
export type SettingsChannel = 'settings:get' | 'settings:set';

export interface SettingsHandlerDeps {
  settings: SettingsStore;
  /** The keys topic in use and where it comes from (Settings, the signed-in fleet, the default). */
  keysTopic(): KeysTopicChoice;
  /** Moves the connection onto the keys topic chosen now. */
  followKeys(): Promise<void>;
}

/** Settings as the renderer sees them: saved values plus the keys topic in use; saving may move the connection's keys topic. */
export function settingsHandlers(deps: SettingsHandlerDeps): Pick<ConsoleHandlers, SettingsChannel> {
  const publicSettings = (): PublicSettings => ({ ...deps.settings.get(), ...deps.keysTopic() });
  return {
    async 'settings:get'() {
      return publicSettings();
    },

    async 'settings:set'(patch) {
      deps.settings.patch(patch);
      await deps.followKeys();
      return publicSettings();
    },
  };
}
