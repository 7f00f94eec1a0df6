// prepareOwnerOnlyDatabase on hostile files beside a database: each file is opened without following links and
// checked on its descriptor, so a planted symlink is refused (its target untouched), and so is another user's file.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSealpostError } from '../../../shared/errors/index.js';
import { SECRET_FILE_ERRORS, prepareOwnerOnlyDatabase } from '../../../shared/secret-files/index.js';

const posix = process.platform !== 'win32';
const root = posix && process.getuid?.() === 0;
const mode = (p: string): number => statSync(p).mode & 0o777;
const refusedWith = (code: string, text?: RegExp) => (err: unknown) => isSealpostError(err, code) && (!text || text.test(err.message));

function withDir(fn: (dir: string, db: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-sqlite-files-'));
  try {
    fn(dir, join(dir, 'journal.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('prepareOwnerOnlyDatabase: hostile files', { skip: !posix && 'POSIX modes and symlinks' }, () => {
  it('creates a missing database 0600 and tightens an older 0644 -wal', () =>
    withDir((_dir, db) => {
      writeFileSync(`${db}-wal`, '', { mode: 0o644 });
      chmodSync(`${db}-wal`, 0o644);
      prepareOwnerOnlyDatabase(db);
      assert.equal(mode(db), 0o600);
      assert.equal(mode(`${db}-wal`), 0o600);
    }));

  for (const suffix of ['', '-wal', '-shm']) {
    it(`refuses a symlink as journal.db${suffix} and leaves what it points to as it was`, () =>
      withDir((dir, db) => {
        if (suffix) writeFileSync(db, '', { mode: 0o600 });
        const victim = join(dir, 'victim');
        writeFileSync(victim, 'not yours', { mode: 0o644 });
        chmodSync(victim, 0o644);
        symlinkSync(victim, `${db}${suffix}`);
        assert.throws(() => prepareOwnerOnlyDatabase(db), refusedWith(SECRET_FILE_ERRORS.notRegular, /symlink/));
        assert.equal(mode(victim), 0o644, 'the symlink target was not chmodded');
      }));
  }

  it('refuses a folder as -wal and a FIFO as -shm (without blocking on the FIFO)', () =>
    withDir((_dir, db) => {
      mkdirSync(`${db}-wal`);
      assert.throws(() => prepareOwnerOnlyDatabase(db), refusedWith(SECRET_FILE_ERRORS.notRegular, /folder/));
      rmSync(`${db}-wal`, { recursive: true });
      execFileSync('mkfifo', [`${db}-shm`]);
      assert.throws(() => prepareOwnerOnlyDatabase(db), refusedWith(SECRET_FILE_ERRORS.notRegular));
    }));

  it('refuses a -wal owned by another user instead of taking it over', { skip: !root && 'needs root to chown a file to another user' }, () =>
    withDir((_dir, db) => {
      writeFileSync(db, '', { mode: 0o600 });
      writeFileSync(`${db}-wal`, '', { mode: 0o644 });
      chownSync(`${db}-wal`, 65534, 65534);
      chmodSync(`${db}-wal`, 0o644);
      assert.throws(() => prepareOwnerOnlyDatabase(db), refusedWith(SECRET_FILE_ERRORS.owner, /belongs to user id 65534/));
      assert.equal(mode(`${db}-wal`), 0o644, 'not chmodded');
    }));
});
