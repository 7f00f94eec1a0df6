import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { UNREADABLE_NOTE } from '../../../ingest-service/src/journal/operator-notes.js';
import { startTestService } from '../../support/ingest.js';
import { openTemp, personalBody, tempDir } from './temp-journal.js';

const posix = process.platform !== 'win32';
const DB_FILES = ['journal.db', 'journal.db-wal', 'journal.db-shm'];

// Notes an operator may well type, and operator ARNs whose session name is an e-mail address.
const DISCARD_REASON = 'asked by erin.notes@example.org to drop it';
const PAUSE_REASON = 'paused for frank.notes@example.org (ticket 4711)';
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/Ops/grace.notes@example.org';
const NEEDLES = [DISCARD_REASON, PAUSE_REASON, OPERATOR, 'erin.notes', 'frank.notes', 'grace.notes', 'ticket 4711'];

/** Every needle found in clear (UTF-8 or UTF-16, as SQLite may store text) in the journal's files. */
function clearNotes(dir: string): string[] {
  const found: string[] = [];
  for (const f of DB_FILES) {
    if (!existsSync(join(dir, f))) continue;
    const bytes = readFileSync(join(dir, f));
    for (const n of NEEDLES) {
      if (bytes.includes(Buffer.from(n, 'utf8')) || bytes.includes(Buffer.from(n, 'utf16le'))) found.push(`${f}: ${n}`);
    }
  }
  return found;
}

test('pause and discard notes and who wrote them are sealed at rest, and read back in clear', async () => {
  const t = openTemp();
  try {
    const seq = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: personalBody('x@example.net') });
    const discarded = t.journal.deadLetter({ seq, source: 'sg', eventIndex: 0, reason: 'invalid_event', raw: Buffer.from('{}') });
    const redriven = t.journal.deadLetter({ seq, source: 'sg', eventIndex: 1, reason: 'invalid_event', raw: Buffer.from('{}') });
    t.journal.discardDeadLetter(discarded, { reason: DISCARD_REASON, by: OPERATOR });
    t.journal.redrive(redriven, { by: OPERATOR });
    t.journal.pause('sg', { reason: PAUSE_REASON, by: OPERATOR });
    assert.deepEqual(clearNotes(t.dir), [], 'while open (notes in the WAL)');
    const j = await t.reopen();
    assert.deepEqual(clearNotes(t.dir), [], 'after a checkpoint');
    assert.deepEqual(j.listPaused().map((p) => ({ by: p.pausedBy, reason: p.reason })), [{ by: OPERATOR, reason: PAUSE_REASON }]);
    const d = j.getDeadLetter(discarded)!;
    assert.deepEqual({ by: d.resolvedBy, why: d.resolution, state: d.state }, { by: OPERATOR, why: DISCARD_REASON, state: 'discarded' });
    const r = j.getDeadLetter(redriven)!;
    assert.equal(r.resolvedBy, OPERATOR);
    assert.match(r.resolution!, /^redriven as seq \d+$/);
  } finally {
    await t.cleanup();
  }
});

test('a version-1 journal with notes in clear is migrated to version 2: its notes are sealed once, and read the same', async () => {
  const t = openTemp();
  try {
    const seq = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: Buffer.from('{}') });
    const id = t.journal.deadLetter({ seq, source: 'sg', eventIndex: 0, reason: 'invalid_event', raw: Buffer.from('{}') });
    await t.journal.close();
    // What a version-1 build left: schema version 1, notes as clear TEXT.
    const db = new BetterSqlite3(join(t.dir, 'journal.db'));
    db.prepare(`UPDATE dead_letters SET state = 'discarded', resolved_at = 2, resolved_by = ?, resolution = ?, raw = NULL WHERE id = ?`).run(OPERATOR, DISCARD_REASON, id);
    db.prepare('INSERT INTO paused_sources (source, paused_at, paused_by, reason) VALUES (?, ?, ?, ?)').run('sg', 3, OPERATOR, PAUSE_REASON);
    db.pragma('user_version = 1');
    db.close();
    assert.notDeepEqual(clearNotes(t.dir), [], 'the old notes are in clear before the migration');
    const j = await t.reopen();
    assert.deepEqual(j.listPaused().map((p) => [p.pausedBy, p.reason]), [[OPERATOR, PAUSE_REASON]]);
    assert.deepEqual([j.getDeadLetter(id)!.resolvedBy, j.getDeadLetter(id)!.resolution], [OPERATOR, DISCARD_REASON]);
    await j.close();
    assert.deepEqual(clearNotes(t.dir), [], 'no note left in clear in the files');
    const after = new BetterSqlite3(join(t.dir, 'journal.db'), { readonly: true });
    assert.equal(after.pragma('user_version', { simple: true }), 2, 'an older build (version 1) refuses this journal');
    after.close();
    await t.reopen();
  } finally {
    await t.cleanup();
  }
});

test('a sealed note copied to another row does not open there, and does not stop the journal from opening', async () => {
  const t = openTemp();
  try {
    t.journal.pause('sg', { reason: PAUSE_REASON, by: OPERATOR });
    await t.journal.close();
    const db = new BetterSqlite3(join(t.dir, 'journal.db'));
    db.prepare(`INSERT INTO paused_sources (source, paused_at, paused_by, reason) SELECT 'other', paused_at, paused_by, reason FROM paused_sources WHERE source = 'sg'`).run();
    db.close();
    const j = await t.reopen();
    const bySource = Object.fromEntries(j.listPaused().map((p) => [p.source, p.reason]));
    assert.deepEqual(bySource, { sg: PAUSE_REASON, other: UNREADABLE_NOTE });
  } finally {
    await t.cleanup();
  }
});

test('journal.db, -wal and -shm are created 0600 whatever the umask, and older 0644 files are tightened', { skip: !posix && 'POSIX modes' }, async () => {
  const old = process.umask(0o000);
  const t = openTemp();
  try {
    await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: Buffer.from('{}') });
    for (const f of DB_FILES) assert.equal(statSync(join(t.dir, f)).mode & 0o777, 0o600, f);
    await t.journal.close();
    for (const f of DB_FILES) if (existsSync(join(t.dir, f))) chmodSync(join(t.dir, f), 0o644);
    const j = await t.reopen();
    await j.append({ source: 'sg', kind: 'sendgrid', receivedAt: 2, payload: Buffer.from('{}') });
    for (const f of DB_FILES) assert.equal(statSync(join(t.dir, f)).mode & 0o777, 0o600, `${f} after reopen`);
  } finally {
    process.umask(old);
    await t.cleanup();
  }
});

test('the service refuses, on every start, a data dir group or others can read, naming the chmod', { skip: !posix && 'POSIX modes' }, async () => {
  const t = tempDir('sp-datadir-');
  const dataDir = join(t.dir, 'data');
  try {
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    await assert.rejects(startTestService({ dataDir }), (e: { code: string; message: string }) => e.code === 'SP_SECRET_FILE_PERMISSIONS' && e.message.includes(`chmod 700 ${dataDir}`));
    chmodSync(dataDir, 0o700);
    const svc = await startTestService({ dataDir });
    await svc.stop({ keepData: true });
    chmodSync(dataDir, 0o750); // loosened after it was created: checked again
    await assert.rejects(startTestService({ dataDir }), (e: { code: string }) => e.code === 'SP_SECRET_FILE_PERMISSIONS');
  } finally {
    t.cleanup();
  }
});
