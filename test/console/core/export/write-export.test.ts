import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeExportFile } from '../../../../electron/core/export/write-export.js';

const posix = process.platform !== 'win32';

describe('console exports on disk', { skip: !posix && 'POSIX modes' }, () => {
  for (const old of [0o644, 0o666, 0o604]) {
    it(`overwriting an existing ${old.toString(8)} file leaves a 0600 file (the old mode is not kept)`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'sealpost-export-'));
      try {
        const file = join(dir, 'export.csv');
        writeFileSync(file, 'old rows');
        chmodSync(file, old);
        writeExportFile(file, 'email\nuser@example.com\n');
        assert.equal(statSync(file).mode & 0o777, 0o600);
        assert.equal(readFileSync(file, 'utf8'), 'email\nuser@example.com\n');
        assert.deepEqual(readdirSync(dir), ['export.csv'], 'no temporary file left beside it');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a symlink at the chosen name is replaced, not written through', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealpost-export-'));
    try {
      const elsewhere = join(dir, 'shared-with-everyone.csv');
      writeFileSync(elsewhere, 'nothing');
      chmodSync(elsewhere, 0o644);
      const file = join(dir, 'export.json');
      symlinkSync(elsewhere, file);
      writeExportFile(file, '[{"email":"user@example.com"}]');
      assert.equal(readFileSync(elsewhere, 'utf8'), 'nothing');
      assert.ok(lstatSync(file).isFile());
      assert.equal(statSync(file).mode & 0o777, 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
