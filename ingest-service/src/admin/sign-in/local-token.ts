import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { SealpostError } from '../../../../shared/errors/index.js';
import { loadOrCreateSecretFile } from '../../../../shared/secret-files/index.js';
import { ADMIN_ERRORS } from '../errors.js';

/** Prefix that tells a local admin token from a session JWT. */
export const LOCAL_TOKEN_PREFIX = 'sealpost-local-';


const TOKEN = new RegExp(`^${LOCAL_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

/**
 * The embedded default's way in: a random admin token in `<dataDir>/keys/admin-local.token` (one
 * line, 0600), accepted only from a loopback address, so whoever can read the data dir on the
 * server itself is admin, and nobody else. `createdNow` says it was made by this start (the banner names the
 * file, never the token).
 */
export function loadLocalToken(dataDir: string): { token: string; file: string; createdNow: boolean; matches(candidate: string): boolean } {
  const file = join(dataDir, 'keys', 'admin-local.token');
  const made = loadOrCreateSecretFile(file, () => Buffer.from(`${LOCAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}\n`));
  const createdNow = made.createdNow;
  const token = made.bytes.toString('utf8').trim();
  made.bytes.fill(0);
  if (!TOKEN.test(token)) {
    throw new SealpostError(ADMIN_ERRORS.localTokenRefused, `${file} does not hold a local admin token; delete it and restart to make a new one`);
  }
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
