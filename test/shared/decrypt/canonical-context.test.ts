// The in-place context walk (shared/decrypt/canonical-context.ts) against the SDK's own decode and re-serialisation,
// the AAD the raw AES keyring unwraps with: for every context it takes, the same decoded context and the same AAD;
// whatever it does not take (unsorted, duplicated, invalid UTF-8, truncated, trailing bytes, empty) goes to the SDK.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { NodeAlgorithmSuite } from '@aws-crypto/material-management-node';
import { deserializeFactory, serializeFactory } from '@aws-crypto/serialize';
import { decodeCanonicalContext } from '../../../shared/decrypt/canonical-context.js';
import { sectionContext } from '../../../shared/envelope/index.js';
import { subjectSectionContext } from '../../../shared/seal/index.js';

const toUtf8 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
const { decodeEncryptionContext } = deserializeFactory(toUtf8, NodeAlgorithmSuite);
const { serializeEncryptionContext } = serializeFactory((s: string) => Buffer.from(s, 'utf8'), { utf8Sorting: false });

/** The SDK's answer for context bytes: the decoded context and the keyring's AAD, or undefined when it refuses them. */
function sdk(bytes: Buffer): { context: Record<string, string>; aad: Buffer } | undefined {
  try {
    const context = decodeEncryptionContext(bytes);
    return { context: { ...context }, aad: Buffer.from(serializeEncryptionContext(context).subarray(2)) };
  } catch {
    return undefined;
  }
}

/** Context bytes with the pairs in the order given (as a header may state them). */
function encode(pairs: ReadonlyArray<readonly [Buffer, Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.from([pairs.length >> 8, pairs.length & 255])];
  for (const [k, v] of pairs) for (const b of [k, v]) parts.push(Buffer.from([b.length >> 8, b.length & 255]), b);
  return Buffer.concat(parts);
}

/** Where the walk takes the bytes, it must agree with the SDK exactly: same context, and the AAD is the bytes. */
function agrees(bytes: Buffer): boolean {
  const fast = decodeCanonicalContext(bytes);
  if (!fast) return false;
  const expected = sdk(bytes);
  assert.ok(expected, `the walk took bytes the SDK refuses: ${bytes.toString('hex')}`);
  assert.deepEqual({ ...fast }, expected.context);
  assert.ok(Object.isFrozen(fast) && Object.getPrototypeOf(fast) === null, 'frozen, without a prototype, as the SDK decodes');
  assert.deepEqual(bytes, expected.aad, `the AAD would differ from the keyring's: ${bytes.toString('hex')}`);
  return true;
}

const ALPHABET = ['a', 'b', 'Z', 'A', 'z', '0', '9', '1', ':', '-', '_', '.', ' ', 'é', 'É', 'ß', 'ø', '中', '😀', 'İ', 'ı'];
const word = (): string => Array.from({ length: randomInt(1, 6) }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

describe('canonical context walk', () => {
  test("takes the sealer's own contexts (a section under a subject key, a department section) and agrees with the SDK", () => {
    for (const context of [subjectSectionContext(sectionContext('support', 'sg-main', 3), 'k3yId-AbC_09'), sectionContext('security', 'ses', 12)]) {
      const bytes = Buffer.from(serializeEncryptionContext(context).subarray(2));
      assert.equal(agrees(bytes), true);
    }
  });

  test('random contexts in the SDK order: taken, and equal to the SDK; in a shuffled order: refused or equal', () => {
    let taken = 0;
    for (let n = 0; n < 3000; n++) {
      const context: Record<string, string> = {};
      for (let i = randomInt(1, 6); i > 0; i--) context[randomInt(4) === 0 ? String(randomInt(100)) : word()] = word();
      const sorted = Buffer.from(serializeEncryptionContext(context).subarray(2));
      // The SDK order is taken unless two keys tie under localeCompare (the walk wants them strictly ascending).
      const keys = Object.keys(context).sort((a, b) => a.localeCompare(b));
      const ties = keys.some((k, i) => i > 0 && keys[i - 1]!.localeCompare(k) === 0);
      if (!ties) assert.equal(agrees(sorted), true, `SDK-ordered bytes refused: ${sorted.toString('hex')}`);
      const shuffled = Object.entries(context).map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      if (agrees(encode(shuffled))) taken++;
    }
    assert.ok(taken > 0);
  });

  test('refuses, for the SDK to decide: out of order, duplicate keys, invalid UTF-8, truncated, trailing bytes, no pairs', () => {
    const b = (s: string): Buffer => Buffer.from(s, 'utf8');
    const good = encode([[b('a'), b('1')], [b('b'), b('2')]]);
    const cases: Record<string, Buffer> = {
      'out of order': encode([[b('b'), b('2')], [b('a'), b('1')]]),
      'upper case after lower (ASCII order, not localeCompare)': encode([[b('B'), b('2')], [b('a'), b('1')]]),
      'a duplicate key': encode([[b('a'), b('1')], [b('a'), b('2')]]),
      'invalid UTF-8 in a key': encode([[Buffer.from([0x61, 0xff]), b('1')]]),
      'invalid UTF-8 in a value (an overlong encoding)': encode([[b('a'), Buffer.from([0xe0, 0x80, 0x80])]]),
      'a lone surrogate': encode([[b('a'), Buffer.from([0xed, 0xa0, 0x80])]]),
      truncated: good.subarray(0, good.length - 1),
      'a trailing byte': Buffer.concat([good, Buffer.from([0])]),
      'a count larger than the pairs': Buffer.concat([Buffer.from([0, 3]), good.subarray(2)]),
      'no pairs': Buffer.from([0, 0]),
      empty: Buffer.alloc(0),
    };
    for (const [name, bytes] of Object.entries(cases)) assert.equal(decodeCanonicalContext(bytes), undefined, name);
    assert.equal(agrees(good), true);
  });
});
