// Real failing filesystems for the journal's error paths. Root ignores file permissions, so a chmod
// proves nothing here: these build a tiny tmpfs (ENOSPC), an ext4 on a loop device whose backing
// file can be made immutable (writeback and fsync fail with EIO), and read-only bind mounts (EROFS).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();

/** Why the fault filesystems cannot be built here, or undefined when they can (root with mount, losetup, mkfs.ext4, chattr). */
export function faultFsUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount filesystems';
  for (const tool of ['mount', 'umount', 'losetup', 'mkfs.ext4', 'chattr']) {
    try {
      run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `needs ${tool} on PATH`;
    }
  }
  const probe = mkdtempSync(join(tmpdir(), 'sp-fault-probe-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    run('umount', [probe]);
  } catch (err) {
    return `mount refused here: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
  return undefined;
}

/** A tmpfs of `sizeKb`, plus a way to fill it up and free it again. */
export async function withTmpfs(sizeKb: number, fn: (fs: { dir: string; fill(): void; free(): void }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-tmpfs-'));
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  try {
    await fn({
      dir: join(dir, 'data'),
      fill() {
        try {
          run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k', `count=${sizeKb}`]);
        } catch {
          /* dd stops with ENOSPC: that is the point */
        }
      },
      free() {
        rmSync(filler, { force: true });
      },
    });
  } finally {
    run('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An ext4 filesystem on a loop device; `breakDisk()` makes every later block write fail (EIO), `repairDisk()` undoes it. */
export async function withLoopExt4(fn: (fs: { dir: string; breakDisk(): void; repairDisk(): void }) => Promise<void>): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'sp-loop-'));
  const img = join(base, 'disk.img');
  const mnt = join(base, 'mnt');
  mkdirSync(mnt);
  writeFileSync(img, '');
  run('truncate', ['-s', '32M', img]);
  const dev = run('losetup', ['-f', '--show', img]);
  try {
    run('mkfs.ext4', ['-q', '-F', dev]);
    run('mount', [dev, mnt]);
    try {
      await fn({
        dir: join(mnt, 'data'),
        breakDisk: () => void run('chattr', ['+i', img]),
        repairDisk: () => void run('chattr', ['-i', img]),
      });
    } finally {
      try {
        run('chattr', ['-i', img]);
      } catch {
        /* already mutable */
      }
      run('umount', ['-l', mnt]);
    }
  } finally {
    run('losetup', ['-d', dev]);
    rmSync(base, { recursive: true, force: true });
  }
}

/** Bind-mounts `dir` onto itself read-only for the duration of fn (the filesystem refuses writes: EROFS). */
export async function withReadOnly(dir: string, fn: () => Promise<void> | void): Promise<void> {
  run('mount', ['--bind', dir, dir]);
  try {
    run('mount', ['-o', 'remount,bind,ro', dir]);
    await fn();
  } finally {
    try {
      run('umount', [dir]);
    } catch {
      // Still busy (a handle opened through the read-only view is not closed yet): detach it anyway, so no
      // test leaves a mount behind; the kernel drops it when the last handle goes.
      run('umount', ['-l', dir]);
    }
  }
}
