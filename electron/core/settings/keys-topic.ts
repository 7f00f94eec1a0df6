import type { PublicSettings } from '../../../shared/console-api/types.js';
import { SUBJECT_KEYS_TOPIC } from '../../../shared/subject-keys/format.js';

/** The keys topic the console opens v2 sections through, and where that choice comes from. */
export type KeysTopicChoice = Pick<PublicSettings, 'subjectKeysTopic' | 'subjectKeysTopicSet' | 'subjectKeysTopicFrom' | 'subjectKeysTopicService'>;

/** A signed-in service as far as its keys topic goes: its label and what its session said (null: subject keys off). */
export interface ServiceKeysTopic {
  label: string;
  subjectKeysTopic: string | null | undefined;
}

/**
 * Which keys topic to follow: the one set in Settings (an operator's override, for a service that is not signed
 * in or a topic of their own), else the one the first signed-in service with subject keys on reports at sign-in
 * (its `subjectKeys.topic`, so nobody has to copy it over), else the default `sealpost.subject-keys`.
 */
export function chooseKeysTopic(set: string | null, services: readonly ServiceKeysTopic[]): KeysTopicChoice {
  if (set) return { subjectKeysTopic: set, subjectKeysTopicSet: set, subjectKeysTopicFrom: 'settings', subjectKeysTopicService: null };
  const from = services.find((s) => s.subjectKeysTopic);
  if (from) return { subjectKeysTopic: from.subjectKeysTopic!, subjectKeysTopicSet: null, subjectKeysTopicFrom: 'service', subjectKeysTopicService: from.label };
  return { subjectKeysTopic: SUBJECT_KEYS_TOPIC, subjectKeysTopicSet: null, subjectKeysTopicFrom: 'default', subjectKeysTopicService: null };
}
