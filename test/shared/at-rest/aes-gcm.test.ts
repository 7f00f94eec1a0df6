import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AT_REST_ERRORS, createAtRestCipher } from '../../../shared/at-rest/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';

const key = randomBytes(32);
const cipher = createAtRestCipher(key);
const AAD = 'sealpost-test/1\u0000row\u00007';
const PLAIN = Buffer.from('erin.at-rest@example.org');
const sealed = cipher.seal(PLAIN, AAD);
const refused = (code: string) => (err: unknown) => isSealpostError(err, code);
const flip = (b: Buffer, i: number): Buffer => {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
};

/** The older audit-index layout: iv | tag | ciphertext, no version byte. */
function legacySeal(k: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', k, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]);
}

describe('sealing at rest (AES-256-GCM)', () => {
  it('round-trips, the clear value is nowhere in the sealed bytes, and two seals differ (random IV)', () => {
    assert.deepEqual(cipher.open(sealed, AAD), PLAIN);
    assert.equal(sealed.includes(PLAIN), false);
    assert.notDeepEqual(cipher.seal(PLAIN, AAD), sealed);
    assert.deepEqual(cipher.open(cipher.seal(Buffer.alloc(0), AAD), AAD), Buffer.alloc(0));
  });

  const hostile: [string, () => Buffer, string, string?][] = [
    ['empty', () => Buffer.alloc(0), AT_REST_ERRORS.badFormat],
    ['one byte', () => sealed.subarray(0, 1), AT_REST_ERRORS.badFormat],
    ['truncated inside the IV', () => sealed.subarray(0, 8), AT_REST_ERRORS.badFormat],
    ['header only, no tag end', () => sealed.subarray(0, 28), AT_REST_ERRORS.badFormat],
    ['truncated ciphertext', () => sealed.subarray(0, sealed.length - 1), AT_REST_ERRORS.unauthentic],
    ['ciphertext cut off entirely', () => sealed.subarray(0, 29), AT_REST_ERRORS.unauthentic],
    ['appended byte', () => Buffer.concat([sealed, Buffer.from([0])]), AT_REST_ERRORS.unauthentic],
    ['unknown version', () => Buffer.concat([Buffer.from([2]), sealed.subarray(1)]), AT_REST_ERRORS.badFormat],
    ['flipped IV bit', () => flip(sealed, 3), AT_REST_ERRORS.unauthentic],
    ['flipped tag bit', () => flip(sealed, 20), AT_REST_ERRORS.unauthentic],
    ['flipped ciphertext bit', () => flip(sealed, sealed.length - 1), AT_REST_ERRORS.unauthentic],
    ['zeroed tag', () => Buffer.concat([sealed.subarray(0, 13), Buffer.alloc(16), sealed.subarray(29)]), AT_REST_ERRORS.unauthentic],
    ['moved to another row', () => sealed, AT_REST_ERRORS.unauthentic, 'sealpost-test/1\u0000row\u00008'],
    ['another key', () => createAtRestCipher(randomBytes(32)).seal(PLAIN, AAD), AT_REST_ERRORS.unauthentic],
  ];
  for (const [name, bytes, code, aad] of hostile) {
    it(`refuses ${name} (${code})`, () => assert.throws(() => cipher.open(bytes(), aad ?? AAD), refused(code)));
  }

  it('never accepts a shortened tag (GCM would otherwise check only its first bytes)', () => {
    const short = Buffer.concat([sealed.subarray(0, 13), sealed.subarray(13, 17), sealed.subarray(29)]);
    assert.throws(() => cipher.open(short, AAD), refused(AT_REST_ERRORS.unauthentic));
  });

  it('refuses the older layout unless asked to read it', () => {
    assert.throws(() => cipher.open(legacySeal(key, PLAIN, AAD), AAD), (err) => isSealpostError(err, AT_REST_ERRORS.unauthentic) || isSealpostError(err, AT_REST_ERRORS.badFormat));
  });

  it('refuses keys that are not 32 bytes', () => {
    for (const n of [0, 16, 24, 31, 33, 64]) assert.throws(() => createAtRestCipher(randomBytes(n)), refused(AT_REST_ERRORS.badKey), String(n));
  });

  it('with legacyUnversioned, also opens the older layout, still bound to its row and key', () => {
    const both = createAtRestCipher(key, { legacyUnversioned: true });
    const old = legacySeal(key, PLAIN, AAD);
    assert.deepEqual(both.open(old, AAD), PLAIN);
    assert.deepEqual(both.open(sealed, AAD), PLAIN);
    assert.throws(() => both.open(old, 'another row'), refused(AT_REST_ERRORS.unauthentic));
    assert.throws(() => both.open(flip(old, old.length - 1), AAD), refused(AT_REST_ERRORS.unauthentic));
    assert.throws(() => both.open(old.subarray(0, 20), AAD), refused(AT_REST_ERRORS.badFormat));
  });
});
