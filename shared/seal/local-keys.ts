import { join } from 'node:path';
import { KeyringNode, MultiKeyringNode } from '@aws-crypto/material-management-node';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { SealpostError } from '../errors/index.js';
import type { Policy } from '../policy/index.js';
import { SEAL_ERRORS } from './errors.js';
import { KEY_FILE_LENGTH, loadOrCreateKeyFile } from './key-file.js';

/** Key namespace (ESDK provider id) of every local department key; consumers configure the same. */
export const LOCAL_KEY_NAMESPACE = 'sealpost';

const KEY_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function checkName(name: string): void {
  if (!KEY_NAME.test(name)) {
    throw new SealpostError(SEAL_ERRORS.badKeyName, `local key name "${name}" must be 1-64 letters, digits, _ or - (it names a file)`, {
      details: { name },
    });
  }
}

/**
 * The embedded default's department key: 32 random bytes in `<dir>/<name>.key`, created mode 0600
 * in a 0700 folder; a file others can read, or of the wrong length, is refused with how to fix it.
 * Pass `create: false` where a missing key must be an error (read-only tools such as the console).
 */
export function loadOrCreateLocalKey(dir: string, name: string, options: { create?: boolean } = {}): Buffer {
  checkName(name);
  return loadOrCreateKeyFile(join(dir, `${name}.key`), options);
}

/**
 * A raw AES-256-GCM keyring for a local key, as any ESDK consumer would build it (namespace
 * `sealpost`, key name = `name`). `utf8Sorting: true` sorts the encryption context by UTF-8 bytes,
 * as the other language SDKs do. The keyring zeroes the buffer it is given, so it gets a copy.
 */
export function localKeyring(name: string, key: Uint8Array): RawAesKeyringNode {
  checkName(name);
  if (key.byteLength !== KEY_FILE_LENGTH) {
    throw new SealpostError(SEAL_ERRORS.keyFileLength, `local key "${name}" is ${key.byteLength} bytes, not ${KEY_FILE_LENGTH}`, { details: { name } });
  }
  return new RawAesKeyringNode({
    keyName: name,
    keyNamespace: LOCAL_KEY_NAMESPACE,
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  });
}

/** One department's keyrings for local keys. */
export interface DepartmentKeyrings {
  /** Seals new records: the department's first key, when it is local (absent when the first key is KMS). */
  encrypt?: KeyringNode;
  /** Opens records sealed under any of the department's local keys (rotation keeps old keys listed). */
  decrypt: KeyringNode;
}

/**
 * Keyrings for every department of `policy` with at least one `{ local: name }` key. Why only the
 * first key encrypts: the policy's rule is "the first key seals new records, every key listed still
 * reads older ones", so retiring a key is putting a new one first, and new records stop being
 * readable with the old one. KMS keys are left to the KMS keyring builder.
 */
export function localKeyringsFromPolicy(dir: string, policy: Pick<Policy, 'departments'>, options: { create?: boolean } = {}): Map<string, DepartmentKeyrings> {
  const out = new Map<string, DepartmentKeyrings>();
  for (const [department, { keys }] of Object.entries(policy.departments)) {
    const local = new Map<string, KeyringNode>();
    for (const spec of keys) {
      if (!('local' in spec) || local.has(spec.local)) continue;
      const key = loadOrCreateLocalKey(dir, spec.local, options);
      try {
        local.set(spec.local, localKeyring(spec.local, key));
      } finally {
        key.fill(0);
      }
    }
    if (local.size === 0) continue;
    const first = keys[0];
    const encrypt = first && 'local' in first ? local.get(first.local) : undefined;
    const all = [...local.values()];
    const decrypt = all.length === 1 ? all[0]! : new MultiKeyringNode({ children: all });
    out.set(department, encrypt ? { encrypt, decrypt } : { decrypt });
  }
  return out;
}
