import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { createJournalCipher, entryAad, journalKeyPath, openJournal } from '../../../ingest-service/src/journal/index.js';
import { openTemp, personalBody, tempDir } from './temp-journal.js';

/** Every file of the journal (db, -wal, -shm), concatenated: what a disk image or backup would hold. */
function rawBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.startsWith('journal.db')).map((f) => readFileSync(join(dir, f))));
}

test('no personal value is at rest in clear: db and WAL bytes never contain the address, entries or dead letters', async () => {
  const t = openTemp();
  const address = 'carol.rest-check@example.org';
  try {
    const seqs = await Promise.all(Array.from({ length: 20 }, () => t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: personalBody(address) })));
    t.journal.deadLetter({ seq: seqs[0]!, source: 'sg', eventIndex: 1, reason: 'unparseable_json', raw: personalBody(address, 1) });
    // Sanity check of the check itself: the WAL does hold the clear source id we wrote.
    assert.ok(rawBytes(t.dir).includes(Buffer.from('sendgrid')), 'the test reads the journal files it should');
    assert.equal(rawBytes(t.dir).includes(Buffer.from(address)), false, 'address found in journal files (WAL)');
    assert.equal(rawBytes(t.dir).includes(Buffer.from('203.0.113.7')), false, 'IP found in journal files (WAL)');
    await t.journal.close(); // checkpoints the WAL into the db file
    assert.equal(rawBytes(t.dir).includes(Buffer.from(address)), false, 'address found in journal files (db)');
    const j = await t.reopen();
    assert.ok(j.decryptPayload(j.nextBatch(1)[0]!).includes(Buffer.from(address)), 'and yet it decrypts back');
  } finally {
    await t.cleanup();
  }
});

test('the key file is created 0600 in a 0700 folder, and reused on the next start', async () => {
  const t = tempDir();
  try {
    const j = openJournal({ dir: t.dir });
    const seq = await j.append({ source: 's', kind: 'events', receivedAt: 1, payload: Buffer.from('hello') });
    await j.close();
    const keyPath = journalKeyPath(t.dir);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(t.dir, 'keys')).mode & 0o777, 0o700);
    assert.equal(statSync(keyPath).size, 32);
    const j2 = openJournal({ dir: t.dir });
    assert.equal(j2.decryptPayload(j2.nextBatch(1)[0]!).toString(), 'hello');
    assert.equal(j2.nextBatch(1)[0]!.seq, seq);
    await j2.close();
  } finally {
    await t.cleanup();
  }
});

test('a key file readable by others is refused with an error that says what to do', async () => {
  const t = tempDir();
  try {
    await openJournal({ dir: t.dir }).close();
    chmodSync(journalKeyPath(t.dir), 0o644);
    assert.throws(() => openJournal({ dir: t.dir }), (e: { code: string; message: string }) => e.code === 'SP_SECRET_FILE_PERMISSIONS' && /chmod 600/.test(e.message));
  } finally {
    await t.cleanup();
  }
});

test('a missing, truncated or different key is refused instead of silently making a new one', async () => {
  const t = tempDir();
  try {
    const j = openJournal({ dir: t.dir });
    await j.append({ source: 's', kind: 'events', receivedAt: 1, payload: Buffer.from('x') });
    await j.close();
    const keyPath = journalKeyPath(t.dir);
    renameSync(keyPath, `${keyPath}.bak`);
    assert.throws(() => openJournal({ dir: t.dir }), (e: { code: string }) => e.code === 'SP_JOURNAL_KEY_MISMATCH');
    writeFileSync(keyPath, randomBytes(16), { mode: 0o600 });
    assert.throws(() => openJournal({ dir: t.dir }), (e: { code: string }) => e.code === 'SP_JOURNAL_KEY_INVALID');
    writeFileSync(keyPath, randomBytes(32), { mode: 0o600 });
    assert.throws(() => openJournal({ dir: t.dir }), (e: { code: string }) => e.code === 'SP_JOURNAL_KEY_MISMATCH');
    renameSync(`${keyPath}.bak`, keyPath);
    await openJournal({ dir: t.dir }).close();
  } finally {
    await t.cleanup();
  }
});

test('a payload moved to another row, or altered, does not decrypt', async () => {
  const t = openTemp();
  try {
    const a = await t.journal.append({ source: 'a', kind: 'events', receivedAt: 1, payload: Buffer.from('for a') });
    const b = await t.journal.append({ source: 'b', kind: 'events', receivedAt: 1, payload: Buffer.from('for b') });
    await t.journal.close();
    const db = new Database(join(t.dir, 'journal.db'));
    db.prepare('UPDATE payloads SET data = (SELECT data FROM payloads WHERE seq = ?) WHERE seq = ?').run(a, b);
    db.close();
    const j = await t.reopen();
    const [ea, eb] = j.nextBatch(2);
    assert.equal(j.decryptPayload(ea!).toString(), 'for a');
    assert.throws(() => j.decryptPayload(eb!), (e: { code: string }) => e.code === 'SP_JOURNAL_DECRYPT_FAILED');
  } finally {
    await t.cleanup();
  }
});

test('journal cipher round-trips and binds the additional data', () => {
  const c = createJournalCipher(randomBytes(32));
  const plain = randomBytes(30_000);
  const sealed = c.encrypt(plain, entryAad(7, 'sg', 'sendgrid'));
  assert.equal(sealed.length, plain.length + 29);
  assert.deepEqual(c.decrypt(sealed, entryAad(7, 'sg', 'sendgrid')), plain);
  assert.throws(() => c.decrypt(sealed, entryAad(8, 'sg', 'sendgrid')));
  assert.notDeepEqual(c.encrypt(plain, 'x'), c.encrypt(plain, 'x'), 'a fresh IV every time');
});
