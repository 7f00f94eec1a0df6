import { isDeepStrictEqual } from 'node:util';
import { SealpostError } from '../../../shared/errors/index.js';
import type { Config } from './config-schema.js';

/** Top-level config keys a running service can take on a reload (SIGHUP); the rest need a restart. */
export const RELOADABLE_KEYS: readonly (keyof Config)[] = ['policy', 'kms'];

/**
 * Which reloadable keys differ between the running config and the new one. Refuses (and so applies
 * nothing) when anything else changed, and when the policy changed without a higher `version`: every
 * record names the policy version it was sealed under, so two different policies must never share one.
 */
export function reloadableChanges(current: Config, next: Config): string[] {
  const keys = new Set([...Object.keys(current), ...Object.keys(next)] as (keyof Config)[]);
  const changed = [...keys].filter((k) => !isDeepStrictEqual(current[k], next[k]));
  const needRestart = changed.filter((k) => !RELOADABLE_KEYS.includes(k));
  if (needRestart.length > 0) {
    throw new SealpostError('SP_RELOAD_NEEDS_RESTART', `these settings changed and need a restart: ${needRestart.join(', ')}; nothing was applied (a reload takes only ${RELOADABLE_KEYS.join(', ')})`, { details: { needRestart } });
  }
  if (changed.includes('policy') && next.policy.version <= current.policy.version) {
    throw new SealpostError('SP_RELOAD_POLICY_VERSION', `the policy changed but its version did not go up (running ${current.policy.version}, file ${next.policy.version}): bump policy.version; nothing was applied`);
  }
  return changed;
}
