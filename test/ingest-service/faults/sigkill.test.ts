import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { Envelope } from '../../../shared/envelope/index.js';
import { ensureKafka, readAll } from '../../support/kafka.js';
import { freePort, sendgridLoad, spawnService, tempDataDir, testConfig, waitReady } from '../../support/ingest.js';

const dataDir = tempDataDir();
let child: ChildProcess | undefined;
after(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

it('loses nothing answered 2xx when the process is killed with SIGKILL under load', async () => {
  const { brokers } = await ensureKafka();
  const port = await freePort();
  const { config, sendgridPrivateKey } = testConfig({ dataDir, brokers });
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...config, listen: { ...config.listen, port } }));
  const url = `http://127.0.0.1:${port}`;

  let proc = spawnService(configFile);
  child = proc.child;
  await waitReady(url, 60_000, proc.stderr);
  const load = sendgridLoad(url, sendgridPrivateKey, { prefix: 'kill' });
  const { acked } = load;
  await new Promise((r) => setTimeout(r, 3_000));
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  const ackedAtKill = acked.size;
  await load.stop();
  assert.ok(ackedAtKill > 1_000, `load was running when killed (${ackedAtKill} events acked)`);

  proc = spawnService(configFile);
  child = proc.child;
  await waitReady(url, 60_000, proc.stderr);
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
