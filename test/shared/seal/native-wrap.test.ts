// The native wrap of a data key under a subject key (native/seal/wrap-key.c) against Node's AES-256-GCM, as the SDK's
// raw AES keyring wraps: the same ciphertext and tag for random keys, IVs and AADs, written where it was asked; wrong
// sizes refused. (test/shared/seal/subject-wrap.test.ts has the stock decrypt() open what the sealer writes with it.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { nativeSeal } from '../../../shared/seal/index.js';

const native = nativeSeal();

/** What the raw AES keyring writes: ciphertext || tag. */
function nodeWrap(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

describe('native wrapKey', () => {
  test('the native core is built (npm run build:native)', () => assert.ok(native));

  test('writes what AES-256-GCM in Node writes, at the offset asked, and nothing around it', () => {
    for (let n = 0; n < 300; n++) {
      const key = randomBytes(32);
      const iv = randomBytes(12);
      const plaintext = randomBytes(n % 2 ? 32 : randomInt(1, 65));
      const aad = randomBytes(randomInt(0, 300));
      const at = randomInt(0, 40);
      const out = Buffer.alloc(at + plaintext.length + 16 + 7, 0xa5);
      native!.wrapKey(key, iv, plaintext, aad, out, at);
      assert.deepEqual(out.subarray(at, at + plaintext.length + 16), nodeWrap(key, iv, plaintext, aad));
      assert.ok(out.subarray(0, at).every((b) => b === 0xa5) && out.subarray(at + plaintext.length + 16).every((b) => b === 0xa5));
    }
  });

  test('refuses a wrong key or IV size, nothing or too much to wrap, and an output it does not fit', () => {
    const ok = { key: randomBytes(32), iv: randomBytes(12), pt: randomBytes(32), aad: randomBytes(20), out: Buffer.alloc(48) };
    const wrap = (o: Partial<typeof ok>, at = 0) => () => native!.wrapKey(o.key ?? ok.key, o.iv ?? ok.iv, o.pt ?? ok.pt, o.aad ?? ok.aad, o.out ?? ok.out, at);
    assert.doesNotThrow(wrap({}));
    for (const [name, bad] of [
      ['31-byte key', wrap({ key: randomBytes(31) })],
      ['11-byte IV', wrap({ iv: randomBytes(11) })],
      ['nothing to wrap', wrap({ pt: Buffer.alloc(0) })],
      ['65 bytes to wrap', wrap({ pt: randomBytes(65), out: Buffer.alloc(100) })],
      ['an output one byte short', wrap({ out: Buffer.alloc(47) })],
      ['an offset past the room', wrap({}, 1)],
    ] as const) assert.throws(bad, /native wrap/, name);
  });
});
