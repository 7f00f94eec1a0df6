import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStrictBase64 } from '../../../ingest-service/src/verify/strict-base64.js';

test('canonical padded base64 decodes to its bytes', () => {
  for (const bytes of [Buffer.from([0]), Buffer.from('ab'), Buffer.from('abc'), Buffer.from([0xff, 0xfe, 0xfd, 0xfc])]) {
    assert.deepEqual(decodeStrictBase64(bytes.toString('base64')), bytes);
  }
});

test('spellings Buffer.from would accept leniently are refused', () => {
  const good = Buffer.from('signature bytes!').toString('base64'); // c2lnbmF0dXJlIGJ5dGVzIQ==
  const lenient = [
    '',
    good.replace(/=+$/, ''), // missing padding
    `${good}=`, // extra padding
    ` ${good}`, // whitespace
    `${good.slice(0, 8)}\n${good.slice(8)}`, // line break
    good.replace('c2', 'c*2'), // invalid character (Buffer.from skips it)
    Buffer.from([0xfb, 0xff, 0xbf]).toString('base64url'), // base64url alphabet ("-_-_")
    'c2lnbmF0dXJlIGJ5dGVzIR==', // non-zero pad bits: decodes to the same bytes as good
    'QQ=x',
  ];
  for (const s of lenient) assert.equal(decodeStrictBase64(s), undefined, JSON.stringify(s));
  // The non-zero pad bit spelling really does collide under lenient decoding: that is the point.
  assert.deepEqual(Buffer.from('c2lnbmF0dXJlIGJ5dGVzIR==', 'base64'), Buffer.from(good, 'base64'));
});
