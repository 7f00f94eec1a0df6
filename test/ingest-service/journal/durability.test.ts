import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openJournal } from '../../../ingest-service/src/journal/index.js';
import { tempDir } from './temp-journal.js';

const child = fileURLToPath(new URL('./fixtures/append-then-hang.ts', import.meta.url));

test('an append that resolved survives SIGKILL of the process: reopen finds every entry, intact', async () => {
  const t = tempDir();
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, t.dir, '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      proc.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      proc.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 50)); // let background appends be mid-flight
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    const acked = JSON.parse(line) as number[];
    assert.equal(acked.length, 200);

    const j = openJournal({ dir: t.dir });
    try {
      const entries = j.nextBatch(100_000);
      const bySeq = new Map(entries.map((e) => [e.seq, e]));
      for (const [i, seq] of acked.entries()) {
        const e = bySeq.get(seq);
        assert.ok(e, `acked seq ${seq} missing after SIGKILL`);
        assert.equal(j.decryptPayload(e).toString(), `body-${i}`);
      }
      // The journal stays writable after the crash.
      const after = await j.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: Buffer.from('after') });
      assert.ok(after > Math.max(...entries.map((e) => e.seq)));
    } finally {
      await j.close();
    }
  } finally {
    await t.cleanup();
  }
});
