import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { configSchema } from '../../../ingest-service/src/config/index.js';
import { embeddedDefaultConfig } from '../../../ingest-service/src/config/embedded-default.js';
import { startService, type RunningService } from '../../../ingest-service/src/service.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { tempDataDir } from '../../support/ingest.js';
import { until } from '../../support/until.js';

const run = promisify(execFile);
const script = (name: string, args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], { timeout: 60_000 });

describe('npm run check:suppression against the embedded default', () => {
  let service: RunningService;
  let dataDir: string;

  before(async () => {
    const { brokers } = await ensureKafka();
    dataDir = tempDataDir();
    // The embedded default as `npm start` builds it (its development credentials included), on free ports and a topic of its own.
    const input = embeddedDefaultConfig(dataDir);
    const prefix = uniqueTopic('cli');
    const config = configSchema.parse({
      ...input,
      listen: { ...input.listen, port: 0 },
      admin: { ...input.admin, listen: { host: '127.0.0.1', port: 0 } },
      kafka: { brokers, partitions: 2 },
      sources: input.sources.map((s) => ({ ...s, topic: `${prefix}.${s.id}` })),
      suppressions: { ...input.suppressions, topic: `${prefix}.suppressions` },
      log: { level: 'silent' },
    });
    service = await startService(config);
  });
  after(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs with the local development secret and prints the JSON answer', async () => {
    await script('send-sample', ['--url', service.url, '--data-dir', dataDir]);
    const out = await until(
      'the seed batch on the list',
      // Until the view has read its topic once the check answers 503 not_ready (the CLI exits 1): ask again, as a user would.
      () => script('check-suppression', ['--url', service.url, '--data-dir', dataDir, 'example@test.com', 'chris@gmail.com']).then((r) => r.stdout, (e: { stdout?: string }) => e.stdout ?? ''),
      (s) => s.includes('"spamreport"'),
    );
    const answer = JSON.parse(out) as { results: { suppressed: boolean; reasons: string[]; since: string | null }[] };
    assert.deepEqual(answer.results, [
      { suppressed: true, reasons: ['bounce', 'dropped', 'spamreport', 'unsubscribe'], since: '2021-09-13T23:53:24.000Z' },
      { suppressed: false, reasons: [], since: null },
    ]);
    const grouped = JSON.parse((await script('check-suppression', ['--url', service.url, '--data-dir', dataDir, '--group', '10', 'example@test.com'])).stdout);
    assert.ok(!grouped.results[0].reasons.includes('group_unsubscribe'));
  });

  it('says how to get going when no secret is there, and exits non-zero on a refusal', async () => {
    await assert.rejects(script('check-suppression', ['--data-dir', tempDataDir(), 'a@example.com']), (e: { stderr: string }) => /Start the service once/.test(e.stderr));
    await assert.rejects(script('check-suppression', ['--url', service.url, '--data-dir', dataDir, ...Array.from({ length: 10_001 }, (_, i) => `u${i}@x.org`)]), (e: { stdout: string }) =>
      e.stdout.includes('too_many_addresses'),
    );
  });
});
