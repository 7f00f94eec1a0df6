import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSealpostError } from '../../../shared/errors/index.js';
import { SECRET_FILE_ERRORS, assertOwnerOnlyDir, ensureOwnerOnlyDir, loadOrCreateSecretFile, readSecretFile, writeSecretFile } from '../../../shared/secret-files/index.js';

const posix = process.platform !== 'win32';
const dirOf = (): string => mkdtempSync(join(tmpdir(), 'sealpost-secret-'));
const mode = (p: string): number => statSync(p).mode & 0o777;
const refusedWith = (code: string, text?: RegExp) => (err: unknown) => isSealpostError(err, code) && (!text || text.test(err.message));

/** A hostile thing at `path` (inside a fresh owner-only folder). */
type Plant = (path: string, dir: string) => void;
const secretAt = (dir: string): string => {
  const real = join(dir, 'real.key');
  writeFileSync(real, 'x'.repeat(32), { mode: 0o600 });
  return real;
};

describe('readSecretFile: hostile files', { skip: !posix && 'POSIX modes and symlinks' }, () => {
  const refused: [string, Plant, string, RegExp?][] = [
    ['a symlink to a good secret', (p, d) => symlinkSync(secretAt(d), p), SECRET_FILE_ERRORS.notRegular, /symlink/],
    ['a dangling symlink', (p) => symlinkSync('/nonexistent/elsewhere', p), SECRET_FILE_ERRORS.notRegular],
    ['a symlink to /etc/passwd', (p) => symlinkSync('/etc/passwd', p), SECRET_FILE_ERRORS.notRegular],
    ['a folder', (p) => mkdirSync(p, { mode: 0o700 }), SECRET_FILE_ERRORS.notRegular, /folder/],
    ['a FIFO (must not hang)', (p) => execFileSync('mkfifo', ['-m', '600', p]), SECRET_FILE_ERRORS.notRegular, /FIFO/],
    ['mode 0644', (p) => writeFileSync(p, 'k', { mode: 0o644 }), SECRET_FILE_ERRORS.permissions, /chmod 600/],
    ['mode 0640 (group reads)', (p) => writeFileSync(p, 'k', { mode: 0o640 }), SECRET_FILE_ERRORS.permissions, /mode 0640/],
    ['mode 0604 (others read)', (p) => writeFileSync(p, 'k', { mode: 0o604 }), SECRET_FILE_ERRORS.permissions],
    ['mode 0620 (group writes)', (p) => writeFileSync(p, 'k', { mode: 0o620 }), SECRET_FILE_ERRORS.permissions],
    ['mode 0602 (others write)', (p) => writeFileSync(p, 'k', { mode: 0o602 }), SECRET_FILE_ERRORS.permissions],
    ['mode 0601 (others may execute)', (p) => writeFileSync(p, 'k', { mode: 0o601 }), SECRET_FILE_ERRORS.permissions],
  ];
  for (const [name, plant, code, text] of refused) {
    it(`refuses ${name}`, () => {
      const dir = dirOf();
      const p = join(dir, 'secret.key');
      plant(p, dir);
      if (name.startsWith('mode')) chmodSync(p, Number.parseInt(name.slice(5, 9), 8)); // whatever the umask
      assert.throws(() => readSecretFile(p), refusedWith(code, text));
    });
  }
  it('reads 0600 and 0400 files, and answers undefined for a missing one', () => {
    const dir = dirOf();
    writeFileSync(join(dir, 'a'), 'secret-a', { mode: 0o600 });
    writeFileSync(join(dir, 'b'), 'secret-b', { mode: 0o400 });
    assert.equal(readSecretFile(join(dir, 'a'))!.toString(), 'secret-a');
    assert.equal(readSecretFile(join(dir, 'b'))!.toString(), 'secret-b');
    assert.equal(readSecretFile(join(dir, 'missing')), undefined);
  });
});

describe('writeSecretFile', { skip: !posix && 'POSIX modes and symlinks' }, () => {
  it('replaces an existing 0644 file with a 0600 one (the old mode is not kept)', () => {
    const dir = dirOf();
    const p = join(dir, 'export.csv');
    writeFileSync(p, 'old', { mode: 0o644 });
    chmodSync(p, 0o644);
    writeSecretFile(p, 'new');
    assert.equal(mode(p), 0o600);
    assert.equal(readFileSync(p, 'utf8'), 'new');
    assert.deepEqual(readdirSync(dir), ['export.csv'], 'no temporary file left');
  });
  it('replaces a planted symlink instead of writing through it', () => {
    const dir = dirOf();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched', { mode: 0o644 });
    const p = join(dir, 'out.json');
    symlinkSync(victim, p);
    writeSecretFile(p, 'secret');
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
    assert.ok(lstatSync(p).isFile());
    assert.equal(mode(p), 0o600);
  });
  it('is 0600 whatever the umask', () => {
    const dir = dirOf();
    const old = process.umask(0);
    try {
      writeSecretFile(join(dir, 'k'), 'x');
    } finally {
      process.umask(old);
    }
    assert.equal(mode(join(dir, 'k')), 0o600);
  });
  it('with replace: false keeps an existing file and says so', () => {
    const dir = dirOf();
    const p = join(dir, 'k');
    assert.equal(writeSecretFile(p, 'first', { replace: false }), true);
    assert.equal(writeSecretFile(p, 'second', { replace: false }), false);
    assert.equal(readFileSync(p, 'utf8'), 'first');
    assert.deepEqual(readdirSync(dir), ['k']);
  });
  it('says which file when the folder is missing', () => {
    assert.throws(() => writeSecretFile('/nonexistent-sealpost/dir/k', 'x'), refusedWith(SECRET_FILE_ERRORS.io, /ENOENT/));
  });
});

describe('owner-only folders', { skip: !posix && 'POSIX modes' }, () => {
  const table: [string, number, boolean][] = [
    ['0700', 0o700, true],
    ['0750 (group lists)', 0o750, false],
    ['0705 (others list)', 0o705, false],
    ['0755', 0o755, false],
    ['0711 (others traverse)', 0o711, false],
    ['0777', 0o777, false],
  ];
  for (const [name, m, ok] of table) {
    it(`${ok ? 'accepts' : 'refuses'} a folder of mode ${name}${ok ? '' : ', naming chmod 700'}`, () => {
      const dir = join(dirOf(), 'keys');
      mkdirSync(dir);
      chmodSync(dir, m);
      if (ok) assertOwnerOnlyDir(dir);
      else assert.throws(() => assertOwnerOnlyDir(dir), refusedWith(SECRET_FILE_ERRORS.permissions, new RegExp(`chmod 700 ${dir}`)));
    });
  }
  it('refuses a file where a folder should be, and follows a symlinked folder to check what it points to', () => {
    const base = dirOf();
    writeFileSync(join(base, 'file'), '');
    assert.throws(() => assertOwnerOnlyDir(join(base, 'file')), refusedWith(SECRET_FILE_ERRORS.notRegular));
    const open = join(base, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    symlinkSync(open, join(base, 'link'));
    assert.throws(() => assertOwnerOnlyDir(join(base, 'link')), refusedWith(SECRET_FILE_ERRORS.permissions));
  });
  it('creates a missing folder 0700', () => {
    const dir = join(dirOf(), 'a', 'b');
    ensureOwnerOnlyDir(dir);
    assert.equal(mode(dir), 0o700);
  });
});

describe('loadOrCreateSecretFile', { skip: !posix && 'POSIX modes' }, () => {
  it('creates once (0600 in a 0700 folder), then reads the same bytes', () => {
    const p = join(dirOf(), 'keys', 'k.key');
    const a = loadOrCreateSecretFile(p, () => Buffer.alloc(32, 7));
    const b = loadOrCreateSecretFile(p, () => Buffer.alloc(32, 9));
    assert.equal(a.createdNow, true);
    assert.equal(b.createdNow, false);
    assert.deepEqual(b.bytes, Buffer.alloc(32, 7));
    assert.equal(mode(p), 0o600);
    assert.equal(mode(join(p, '..')), 0o700);
  });
  it('checks an existing secret on every load, not only on create', () => {
    const p = join(dirOf(), 'keys', 'k.key');
    loadOrCreateSecretFile(p, () => Buffer.alloc(32, 1));
    chmodSync(p, 0o644);
    assert.throws(() => loadOrCreateSecretFile(p, () => Buffer.alloc(32, 2)), refusedWith(SECRET_FILE_ERRORS.permissions));
  });
});
