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
