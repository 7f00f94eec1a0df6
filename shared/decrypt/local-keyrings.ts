import { readdirSync } from 'node:fs';
import type { KeyringNode } from '@aws-crypto/material-management-node';
import type { Policy } from '../policy/index.js';
import { isSealpostError } from '../errors/index.js';
import { SEAL_ERRORS } from '../seal/errors.js';
import { loadOrCreateLocalKey, localKeyring } from '../seal/local-keys.js';

/** The local keys a reader holds, and why others could not be used. */
export interface LocalKeyrings {
  keyrings: KeyringNode[];
  names: Set<string>;
  problems: Map<string, string>;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Raw AES keyrings for the local keys in `dir` (never creating any): the ones the policy names, or
 * without a policy every `NAME.key` file. A key that cannot be used (readable by others, wrong length)
 * is skipped with its reason, so the sections it seals lock with that reason instead of failing all.
 */
export function loadLocalKeyrings(dir: string | undefined, policy?: Pick<Policy, 'departments'>): LocalKeyrings {
  const out: LocalKeyrings = { keyrings: [], names: new Set(), problems: new Map() };
  if (!dir) return out;
  let names: string[];
  if (policy) {
    names = [...new Set(Object.values(policy.departments).flatMap((d) => d.keys.flatMap((k) => ('local' in k ? [k.local] : []))))];
  } else {
    try {
      names = readdirSync(dir).flatMap((f) => (f.endsWith('.key') && NAME.test(f.slice(0, -4)) ? [f.slice(0, -4)] : []));
    } catch {
      names = [];
    }
  }
  for (const name of names.sort()) {
    let key: Buffer;
    try {
      key = loadOrCreateLocalKey(dir, name, { create: false });
    } catch (err) {
      if (!isSealpostError(err, SEAL_ERRORS.keyFileMissing)) out.problems.set(name, (err as Error).message);
      continue;
    }
    try {
      out.keyrings.push(localKeyring(name, key));
      out.names.add(name);
    } finally {
      key.fill(0);
    }
  }
  return out;
}
