import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { loadOrCreateKeyFile } from '../../../../shared/seal/key-file.js';

/** Prefix that tells a local admin token from a session JWT. */
export const LOCAL_TOKEN_PREFIX = 'sealpost-local-';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}

/**
 * The embedded default's way in: a random admin token kept in `<dataDir>/keys/admin-local.token`
 * (32 bytes, 0600), accepted only from a loopback address, so whoever can read the data dir on the
 * server itself is admin, and nobody else. `createdNow` tells the caller to print it once.
 */
export function loadLocalToken(dataDir: string): { token: string; file: string; createdNow: boolean; matches(candidate: string): boolean } {
  const file = join(dataDir, 'keys', 'admin-local.token');
  const createdNow = !existsSync(file);
  const bytes = loadOrCreateKeyFile(file);
  const token = `${LOCAL_TOKEN_PREFIX}${bytes.toString('base64url')}`;
  bytes.fill(0);
  const expected = Buffer.from(token);
  return {
    token,
    file,
    createdNow,
    matches(candidate) {
      const got = Buffer.from(candidate);
      return got.length === expected.length && timingSafeEqual(got, expected);
    },
  };
}
