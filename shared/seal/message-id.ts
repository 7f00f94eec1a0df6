import { randomFillSync } from 'node:crypto';

/** MessageIdLength.V2 of the SDK's serialize identifiers. */
export const MESSAGE_ID_LENGTH = 32;

// Message ids: 32 bytes from the CSPRNG, filled 256 at a time (one syscall instead of 256).
const ID_POOL_SIZE = 256;
const idPool = Buffer.alloc(MESSAGE_ID_LENGTH * ID_POOL_SIZE);
let idPoolNext = ID_POOL_SIZE;

/** A fresh random 32-byte message id (a copy: callers may keep it). */
export function nextMessageId(): Buffer {
  if (idPoolNext === ID_POOL_SIZE) {
    randomFillSync(idPool);
    idPoolNext = 0;
  }
  const start = idPoolNext++ * MESSAGE_ID_LENGTH;
  const id = Buffer.from(idPool.subarray(start, start + MESSAGE_ID_LENGTH));
  idPool.fill(0, start, start + MESSAGE_ID_LENGTH);
  return id;
}

/**
 * `count` fresh random message ids back to back. Small batches (a subject key seals a few sections per
 * batch) come from the same pool as nextMessageId, so they cost no getrandom call each; large ones are
 * filled directly.
 */
export function nextMessageIds(count: number): Buffer {
  if (count > ID_POOL_SIZE / 4) return randomFillSync(Buffer.allocUnsafe(MESSAGE_ID_LENGTH * count));
  if (idPoolNext + count > ID_POOL_SIZE) {
    randomFillSync(idPool);
    idPoolNext = 0;
  }
  const start = idPoolNext * MESSAGE_ID_LENGTH;
  const end = start + count * MESSAGE_ID_LENGTH;
  idPoolNext += count;
  const ids = Buffer.from(idPool.subarray(start, end));
  idPool.fill(0, start, end);
  return ids;
}

// Other small random values (subject keys, their ids, data keys, wrap IVs): one getrandom per 8 KB.
const bytePool = Buffer.alloc(8192);
let bytePoolNext = bytePool.length;

/**
 * Fills `target` (at most 1 KB) with fresh CSPRNG bytes from a pool (each byte handed out once, then
 * zeroed in the pool): a new subject needs four small random values, and a getrandom call each cost more
 * than the rest of making its key.
 */
export function fillRandom<T extends Uint8Array>(target: T): T {
  if (target.byteLength > 1024) return randomFillSync(target);
  if (bytePoolNext + target.byteLength > bytePool.length) {
    randomFillSync(bytePool);
    bytePoolNext = 0;
  }
  const end = bytePoolNext + target.byteLength;
  target.set(bytePool.subarray(bytePoolNext, end));
  bytePool.fill(0, bytePoolNext, end);
  bytePoolNext = end;
  return target;
}
