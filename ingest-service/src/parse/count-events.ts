import { isUtf8 } from 'node:buffer';
import type { SourceKind } from '../../../shared/envelope/index.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
/** A byte a JSON value can start with: `"{[-0-9tfn`. */
const startsValue = (b: number): boolean =>
  b === QUOTE || b === OPEN_OBJECT || b === OPEN_ARRAY || b === 0x2d || (b >= 0x30 && b <= 0x39) || b === 0x74 || b === 0x66 || b === 0x6e;

/**
 * How many events a body holds, for the answer and the accepted metric, without parsing it: this runs
 * on the acknowledging thread for every request, and the expand worker does the real parse. A JSON
 * array counts its top-level elements (at least 1), found by a scan that skips strings with indexOf
 * and checks brackets nest; anything else — an object, SNS (one message), a body that is not UTF-8
 * or whose brackets do not balance — counts as one (it becomes one event or one dead letter).
 */
export function countEvents(kind: SourceKind, body: Buffer): number {
  if (kind === 'sns') return 1;
  return Math.max(countArrayElements(body) ?? 1, 1);
}

/**
 * Top-level elements of a JSON array body; undefined when the body is not one, structurally: brackets
 * that do not balance, an empty or trailing element (`[1,,2]`, `[1,2,]`), or a top-level element not
 * starting with a byte a JSON value starts with. Not detected (the worker's parse finds them and the
 * body becomes one dead letter while this counted N): invalid tokens inside an element (`[1x]`,
 * `[{"a":}]`, `[[1,]]`) — the body is journaled either way, this only sets the count.
 */
export function countArrayElements(body: Buffer): number | undefined {
  let i = 0;
  const n = body.length;
  if (n >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3;
  while (i < n && isSpace(body[i]!)) i++;
  if (body[i] !== OPEN_ARRAY || !isUtf8(body)) return undefined;
  const closers: number[] = [CLOSE_ARRAY];
  let count = 0;
  let sawValue = false;
  for (i++; i < n; i++) {
    const b = body[i]!;
    if (isSpace(b)) continue;
    if (closers.length === 1 && b !== COMMA && b !== CLOSE_ARRAY && !sawValue) {
      if (!startsValue(b)) return undefined;
      count++;
      sawValue = true;
    }
    if (b === QUOTE) {
      // To the closing quote: one not preceded by an odd number of backslashes.
      for (;;) {
        const end = body.indexOf(QUOTE, i + 1);
        if (end < 0) return undefined;
        let k = end - 1;
        while (body[k] === BACKSLASH) k--;
        i = end;
        if ((end - 1 - k) % 2 === 0) break;
      }
    } else if (b === OPEN_ARRAY) closers.push(CLOSE_ARRAY);
    else if (b === OPEN_OBJECT) closers.push(CLOSE_OBJECT);
    else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      if (closers.length === 1 && count > 0 && !sawValue) return undefined; // a trailing comma: `[1,2,]`
      if (closers.pop() !== b) return undefined;
      if (closers.length === 0) {
        for (i++; i < n; i++) if (!isSpace(body[i]!)) return undefined;
        return count;
      }
    } else if (b === COMMA && closers.length === 1) {
      if (!sawValue) return undefined;
      sawValue = false;
    }
  }
  return undefined;
}
