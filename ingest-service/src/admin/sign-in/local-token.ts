import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { SealpostError } from '../../../../shared/errors/index.js';
import { ADMIN_ERRORS } from '../errors.js';

/** Prefix that tells a local admin token from a session JWT. */
export const LOCAL_TOKEN_PREFIX = 'sealpost-local-';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}

const TOKEN = new RegExp(`^${LOCAL_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

/** Creates the token file once (exclusive create, 0600); a concurrent creator's file wins. */
function createTokenFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${LOCAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * The embedded default's way in: a random admin token in `<dataDir>/keys/admin-local.token` (one
 * line, 0600), accepted only from a loopback address, so whoever can read the data dir on the
 * server itself is admin, and nobody else. `createdNow` says it was made by this start (the banner names the
 * file, never the token).
 */
export function loadLocalToken(dataDir: string): { token: string; file: string; createdNow: boolean; matches(candidate: string): boolean } {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'admin-local.token');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const createdNow = createTokenFile(file);
  if (process.platform !== 'win32' && statSync(file).mode & 0o077) {
    throw new SealpostError(ADMIN_ERRORS.localTokenRefused, `${file} is readable by group or others; run: chmod 600 ${file} (and consider the token exposed: delete the file to make a new one)`);
  }
  const token = readFileSync(file, 'utf8').trim();
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
