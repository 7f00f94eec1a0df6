// Messages for test/infra/kafkajs-one-pass.test.ts: every shape the one-pass encoder takes, at the boundaries where a
// varint grows a byte, from a seeded generator so a failure can be replayed.
import { createHash } from 'node:crypto';

/** A kafkajs message as the producer hands it to the produce request (types loose on purpose: kafkajs takes more). */
export interface LooseMessage {
  key?: unknown;
  value?: unknown;
  headers?: unknown;
  timestamp?: unknown;
}

/** Deterministic pseudo-random source (mulberry32), so a failing case is the same on the next run. */
export function seeded(seed: number): { int(n: number): number; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    bytes: (n) => {
      const out = Buffer.allocUnsafe(n);
      let block = createHash('sha256').update(String(next())).digest();
      for (let i = 0; i < n; i++) {
        if (i % 32 === 0 && i > 0) block = createHash('sha256').update(block).digest();
        out[i] = block[i % 32]!;
      }
      return out;
    },
  };
}

/** Lengths where a zigzag varint length prefix changes size (64 -> 2 bytes, 8192 -> 3 bytes) and around them. */
export const LENGTHS = [0, 1, 63, 64, 65, 8191, 8192, 8193];

const UNICODE = ['é', 'ключ', '日本語', '\u{1F600}', 'a\u0000b', '\ud800 lone surrogate', 'mixed ascii and ü'];

/** Timestamp deltas where the zigzag varlong grows a byte, both signs, up to and past the exact-double range (2^52). */
export const DELTAS = [
  0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8192, -8193, 2 ** 20 - 1, 2 ** 20, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 35,
  2 ** 52 - 1, -(2 ** 52 - 1), 2 ** 52, -(2 ** 52), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 60,
];

/** A key or value: null, undefined, strings (ASCII, unicode, long) or Buffers of boundary lengths. */
export function keyOrValue(rnd: ReturnType<typeof seeded>, i: number): unknown {
  switch (i % 9) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return 'x'.repeat(LENGTHS[rnd.int(LENGTHS.length)]!);
    case 3:
      return UNICODE[rnd.int(UNICODE.length)]!.repeat(1 + rnd.int(40));
    case 4:
      return '';
    default:
      return rnd.bytes(LENGTHS[rnd.int(LENGTHS.length)]! + rnd.int(3));
  }
}

/** Headers: none, empty, the sink's five, array-valued (empty arrays too), unicode, Buffers, long keys. */
export function headers(rnd: ReturnType<typeof seeded>, i: number): unknown {
  switch (i % 7) {
    case 0:
      return undefined;
    case 1:
      return {};
    case 2:
      return { 'sp-event-id': `evt-${i}`, 'sp-source': 'sendgrid', 'sp-policy': 'v3', 'sp-schema': 'sealpost.v1', 'content-type': 'application/json' };
    case 3:
      return { multi: ['a', rnd.bytes(3), '', 'ü'.repeat(rnd.int(70))], none: [], one: ['x'] };
    case 4:
      return { [UNICODE[rnd.int(UNICODE.length)]!]: UNICODE[rnd.int(UNICODE.length)]!, empty: '' };
    case 5:
      return { ['k'.repeat(LENGTHS[rnd.int(LENGTHS.length)]!)]: rnd.bytes(LENGTHS[rnd.int(LENGTHS.length)]!) };
    default:
      return Object.fromEntries(Array.from({ length: rnd.int(12) }, (_, h) => [`h${h}`, rnd.int(2) ? rnd.bytes(rnd.int(100)) : `v${h}`]));
  }
}

/** `count` messages mixing every shape; a third carry a timestamp (numbers and strings, as kafkajs accepts both). */
export function messages(seed: number, count: number): LooseMessage[] {
  const rnd = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    const m: LooseMessage = { key: keyOrValue(rnd, i + rnd.int(9)), value: keyOrValue(rnd, i), headers: headers(rnd, i + rnd.int(7)) };
    if (i % 3 === 0) m.timestamp = 1_700_000_000_000 + rnd.int(100_000);
    else if (i % 3 === 1 && rnd.int(2)) m.timestamp = String(1_700_000_000_000 + rnd.int(100_000));
    return m;
  });
}
