import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createKeyedRef } from '../../../shared/blind-index/keyed-ref.js';
import { nativeSeal, nativeSealStatus } from '../../../shared/seal/index.js';

const reference = (key: Buffer, value: string): string => createHmac('sha256', key).update(value, 'utf8').digest().subarray(0, 16).toString('base64url');

describe('keyed references', () => {
  it('are the first 16 bytes of HMAC-SHA256 of the UTF-8 value, base64url, one at a time and many at once', () => {
    assert.ok(nativeSeal(), `this test proves the native batch: run npm run build:native (${nativeSealStatus()})`);
    const key = randomBytes(32);
    const ref = createKeyedRef(key);
    const values = ['https://example.com/l/1?a=b', 'üñïçødé 🎉', '', 'x'.repeat(300), 'https://example.com/l/1?a=b'];
    const expected = values.map((v) => reference(key, v));
    assert.deepEqual(ref.many(values), expected);
    assert.deepEqual(values.map((v) => ref(v)), expected);
    assert.deepEqual(ref.many([]), []);
    assert.deepEqual(ref.many([values[1]!]), [expected[1]]);
  });

  it('keeps its own copy of the key', () => {
    const key = randomBytes(32);
    const ref = createKeyedRef(key);
    const before = ref.many(['a', 'b']);
    key.fill(0);
    assert.deepEqual(ref.many(['a', 'b']), before);
  });
});
