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
