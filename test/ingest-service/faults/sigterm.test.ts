import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, it } from 'node:test';
import type { Envelope } from '../../../shared/envelope/index.js';
import { ensureKafka, readAll } from '../../support/kafka.js';
import { childService, sendgridLoad, tempDataDir } from '../../support/ingest.js';

const dataDir = tempDataDir();
let child: ChildProcess | undefined;
after(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

it('SIGTERM under load: in-flight requests are answered, the process exits 0, nothing acknowledged is lost', async () => {
  const { brokers } = await ensureKafka();
  const svc = await childService(dataDir, brokers);
  const { config, sendgridPrivateKey, url } = svc;
  child = await svc.start();
  const load = sendgridLoad(url, sendgridPrivateKey, { prefix: 'term' });
  const { acked, answers } = load;
  await new Promise((r) => setTimeout(r, 1_500));
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const code = await exited;
  await load.stop();
  child = undefined;
  assert.equal(code, 0, 'clean exit');
  assert.ok(acked.size > 500, `load was running (${acked.size} events acked)`);
  for (const status of answers.keys()) assert.ok(status === 200 || status === 503, `only 200 or 503 (closing) answers, got ${status}`);

  child = await svc.start();
  const allSeen = (msgs: readonly { value: Buffer | null }[]): boolean => {
    const seen = new Set(msgs.map((m) => (JSON.parse(m.value!.toString()) as Envelope).id));
    return [...acked].every((id) => seen.has(id));
  };
  const records = await readAll(brokers, config.sources[0]!.topic!, acked.size, 60_000, { until: allSeen });
  assert.ok(allSeen(records), 'every acknowledged event reached Kafka');
  child.kill('SIGTERM');
  await new Promise((r) => child!.once('exit', r));
  child = undefined;
});
