// A cross-process lock file, for the broker scripts that several test files run at once.
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Cross-process mutex on an O_EXCL lock file holding the owner's pid. A lock whose owner is dead is taken over;
 * so is one older than staleMs (owner hung). Needed because several test files call ensureKafka() at once.
 */
export async function withLock(lockPath, fn, staleMs = 180_000) {
  mkdirSync(dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = NaN;
      let age = 0;
      try {
        owner = Number(readFileSync(lockPath, 'utf8'));
        age = Date.now() - statSync(lockPath).mtimeMs;
      } catch {
        continue; // released between open and read
      }
      if ((Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) || age > staleMs) {
        try { unlinkSync(lockPath); } catch { /* someone else took it over */ }
        continue;
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (readFileSync(lockPath, 'utf8') === String(process.pid)) unlinkSync(lockPath);
    } catch { /* already gone */ }
  }
}

export function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
