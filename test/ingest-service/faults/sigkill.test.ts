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

it('loses nothing answered 2xx when the process is killed with SIGKILL under load', async () => {
  const { brokers } = await ensureKafka();
  const svc = await childService(dataDir, brokers);
  const { config, sendgridPrivateKey, url } = svc;
  child = await svc.start();
  const load = sendgridLoad(url, sendgridPrivateKey, { prefix: 'kill' });
  const { acked } = load;
  await new Promise((r) => setTimeout(r, 3_000));
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  const ackedAtKill = acked.size;
  await load.stop();
  assert.ok(ackedAtKill > 1_000, `load was running when killed (${ackedAtKill} events acked)`);

  child = await svc.start();
  const idOf = (r: { value: Buffer | null }): string => (JSON.parse(r.value!.toString()) as Envelope).id;
  const allSeen = (msgs: readonly { value: Buffer | null }[]): boolean => {
    const seen = new Set(msgs.map(idOf));
    return [...acked].every((id) => seen.has(id));
  };
  const records = await readAll(brokers, config.sources[0]!.topic!, acked.size, 120_000, { until: allSeen });
  const delivered = new Set(records.map((r) => (JSON.parse(r.value!.toString()) as Envelope).id));
  const missing = [...acked].filter((id) => !delivered.has(id));
  assert.equal(missing.length, 0, `every event answered 2xx reached Kafka after restart (${missing.length} of ${acked.size} missing)`);
  child.kill('SIGTERM');
  await new Promise((r) => child!.once('exit', r));
  child = undefined;
});
