import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BLIND_INDEX_ERRORS, createBlindIndexer, loadOrCreateBlindIndexKey } from '../../../shared/blind-index/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { normaliseAddress } from '../../../shared/policy/index.js';
import { nativeSeal, nativeSealStatus } from '../../../shared/seal/index.js';

describe('blind index', () => {
  it('gives one index for every spelling of an address', () => {
    const index = createBlindIndexer(randomBytes(32));
    const spellings = ['Bob@Example.com', ' bob@example.com ', 'Bob <bob@example.com>', '"Bob B." <BOB@EXAMPLE.COM>'];
    assert.equal(new Set(spellings.map(index)).size, 1);
    assert.notEqual(index('alice@example.com'), index('bob@example.com'));
  });

  it('differs by key, so nobody without the key can test a guessed address', () => {
    assert.notEqual(createBlindIndexer(randomBytes(32))('bob@example.com'), createBlindIndexer(randomBytes(32))('bob@example.com'));
  });

  it('is the first 16 bytes of HMAC-SHA256 over the normalised address, base64url (a consumer can recompute it)', () => {
    const key = randomBytes(32);
    const expected = createHmac('sha256', key).update('bob@example.com').digest().subarray(0, 16).toString('base64url');
    assert.equal(createBlindIndexer(key)('Bob <Bob@Example.com>'), expected);
    assert.match(expected, /^[A-Za-z0-9_-]{22}$/);
  });

  it('copies the key, so zeroing the caller buffer does not change indexes', () => {
    const key = randomBytes(32);
    const index = createBlindIndexer(key);
    const before = index('bob@example.com');
    key.fill(0);
    assert.equal(index('bob@example.com'), before);
  });

  it('computes many indexes in one call (native core) exactly as one call each with createHmac', () => {
    assert.ok(nativeSeal(), `this test proves the native path: run npm run build:native (${nativeSealStatus()})`);
    for (const key of [randomBytes(32), randomBytes(48), randomBytes(64), randomBytes(80)]) {
      const index = createBlindIndexer(key);
      const addresses = [
        'bob@example.com',
        'Bob <Bob@Example.com>',
        ' ',
        'ünïcödé@exämple.com',
        '𝒜lice@example.com',
        'lone\ud800surrogate@example.com',
        'x'.repeat(55) + '@a', // the inner hash's message spans a SHA-256 block boundary
        'y'.repeat(512),
        ...Array.from({ length: 200 }, () => `${randomBytes(8).toString('hex')}@example.com`),
      ];
      const expected = addresses.map((a) => createHmac('sha256', key).update(normaliseAddress(a), 'utf8').digest().subarray(0, 16).toString('base64url'));
      assert.deepEqual(index.many(addresses), expected, `key of ${key.length} bytes`);
      assert.deepEqual(index.many(addresses.slice(0, 1)), expected.slice(0, 1));
      assert.deepEqual(index.many([]), []);
    }
  });

  it('refuses a key shorter than 32 bytes', () => {
    assert.throws(() => createBlindIndexer(randomBytes(16)), (err) => isSealpostError(err, BLIND_INDEX_ERRORS.weakKey));
  });

  it('keeps its local key in a 0600 file and reads the same one back', { skip: process.platform === 'win32' && 'file modes are POSIX-only' }, () => {
    const root = mkdtempSync(join(tmpdir(), 'sealpost-blind-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    const dir = join(root, 'keys');
    const key = loadOrCreateBlindIndexKey(dir);
    assert.equal(key.length, 32);
    assert.equal(statSync(join(dir, 'blind-index.hmac.key')).mode & 0o777, 0o600);
    assert.equal(createBlindIndexer(loadOrCreateBlindIndexKey(dir))('bob@example.com'), createBlindIndexer(key)('bob@example.com'));
  });
});
