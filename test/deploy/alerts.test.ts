// deploy/prometheus/alerts.yml: valid for Prometheus (promtool check rules), firing when it should and quiet when
// it should (promtool test rules on alerts.test.yml), and written against the metrics the service really exposes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { faultFsUnavailableReason, withTmpfs } from '../ingest-service/journal/fault-fs.js';
import { ensureKafka } from '../support/kafka.js';
import { makeSendgridBatch, startTestService } from '../support/ingest.js';
import { runTool } from '../support/system-tool.js';

const RULES = 'deploy/prometheus/alerts.yml';
const rulesText = readFileSync(RULES, 'utf8');
const promtool = (...args: string[]) => runTool('promtool', 'prometheus', args);

/** The value of one sample in a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{` : `${name} `) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('Prometheus alert rules', () => {
  it('pass promtool check rules, and the check fails on a broken expression', () => {
    const ok = promtool('check', 'rules', RULES);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /SUCCESS: 7 rules found/);
    const dir = mkdtempSync(join(tmpdir(), 'sealpost-rules-'));
    try {
      writeFileSync(join(dir, 'broken.yml'), rulesText.replace('sealpost_journal_writable == 0', 'sealpost_journal_writable == == 0'));
      const bad = promtool('check', 'rules', join(dir, 'broken.yml'));
      assert.notEqual(bad.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fire and stay quiet as alerts.test.yml says (promtool test rules)', () => {
    const r = promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS/);
  });

  it('use only metric names a running service exposes', async () => {
    const { brokers } = await ensureKafka();
    const svc = await startTestService({ brokers });
    try {
      assert.equal((await svc.postSendgrid(makeSendgridBatch(3, 'alerts').body)).status, 200);
      const exposed = await (await fetch(`${svc.service.url}/metrics`)).text();
      const used = new Set(rulesText.match(/\bsealpost_[a-z_]+\b/g));
      assert.ok(used.size >= 9, [...used].join(' '));
      for (const name of used) assert.match(exposed, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is not a metric of the service`);
      assert.equal(sample(exposed, 'sealpost_journal_writable'), 1);
    } finally {
      await svc.stop();
    }
  });

  it('a full disk shows as the journal alert sees it: journal_writable 0 and reason="sp_journal_unavailable"', { skip: faultFsUnavailableReason() }, async () => {
    await withTmpfs(4096, async (fs) => {
      const svc = await startTestService({ dataDir: fs.dir });
      const writable = async (): Promise<number | undefined> => sample(await (await fetch(`${svc.service.url}/metrics`)).text(), 'sealpost_journal_writable');
      try {
        assert.equal(await writable(), 1);
        fs.fill();
        for (let i = 0; i < 3; i++) assert.equal((await svc.postSendgrid(makeSendgridBatch(200, 'full').body)).status, 503);
        const exposed = await (await fetch(`${svc.service.url}/metrics`)).text();
        assert.equal(sample(exposed, 'sealpost_journal_writable'), 0);
        assert.equal(sample(exposed, 'sealpost_requests_rejected_total', 'reason="sp_journal_unavailable"'), 3);
        fs.free();
      } finally {
        await svc.stop({ keepData: true });
      }
    });
  });
});
