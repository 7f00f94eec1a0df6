import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { destroyInstance, instancePaths, portOpen } from '../../scripts/kafka/broker.mjs';
import { ensureKafka, readAll, startKafkaInstance, uniqueTopic, type KafkaInstance } from './kafka.js';

const { Kafka, logLevel } = kafkajs;
const run = promisify(execFile);

/** Pids of live processes whose command line mentions `needle` (Linux /proc). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

async function produce(brokers: string[], topic: string, count: number, tag: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'harness-test', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: true });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `k${i}`,
        value: `${tag}-${i}`,
        headers: { 'x-seq': String(i) },
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

describe('kafka harness', () => {
  it('shared broker: concurrent ensureKafka calls agree, and what is produced is read back with keys and headers', async () => {
    const [a, b] = await Promise.all([ensureKafka(), ensureKafka()]);
    assert.deepEqual(a.brokers, ['127.0.0.1:39092']);
    assert.deepEqual(b.brokers, a.brokers);
    const topic = uniqueTopic('harness');
    await produce(a.brokers, topic, 20, 'shared');
    const got = await readAll(a.brokers, topic, 20, 30_000);
    assert.equal(got.length, 20);
    const byValue = new Map(got.map((m) => [m.value?.toString(), m]));
    for (let i = 0; i < 20; i++) {
      const m = byValue.get(`shared-${i}`);
      assert.ok(m, `message shared-${i} missing`);
      assert.equal(m.key?.toString(), `k${i}`);
      assert.equal(m.headers['x-seq']?.toString(), String(i));
    }
    // num.partitions=6 on auto-create: 20 distinct keys land on more than one partition.
    assert.ok(new Set(got.map((m) => m.partition)).size > 1);
  });

  describe('private instance', () => {
    let inst: KafkaInstance | undefined;
    after(async () => {
      await inst?.destroy();
    });

    it('keeps its data across stop and start, and is really down in between', async () => {
      inst = await startKafkaInstance({ name: 'harness-restart', port: 39192 });
      const topic = uniqueTopic('restart');
      await produce(inst.brokers, topic, 5, 'before');
      await inst.stop();
      assert.equal(await portOpen(39192), false, 'broker still accepts connections after stop()');
      await inst.start();
      await produce(inst.brokers, topic, 1, 'after');
      const got = await readAll(inst.brokers, topic, 6, 30_000);
      assert.deepEqual(
        got.map((m) => m.value?.toString()).sort(),
        ['after-0', 'before-0', 'before-1', 'before-2', 'before-3', 'before-4'],
      );
      await inst.destroy();
      assert.equal(await portOpen(39192), false);
      inst = undefined;
    });
  });

  describe('concurrent start', () => {
    const race = { name: 'harness-race', port: 39292, controllerPort: 39293 };
    after(async () => {
      await destroyInstance(race.name);
    });

    it('three processes ensuring the same stopped broker at once start exactly one JVM and all get it', async () => {
      await destroyInstance(race.name);
      const brokerModule = fileURLToPath(new URL('../../scripts/kafka/broker.mjs', import.meta.url));
      const script = `const m = await import(${JSON.stringify(brokerModule)});
        const r = await m.ensureInstance(${JSON.stringify(race)});
        console.log(JSON.stringify({ brokers: r.brokers, pid: m.runningPid(${JSON.stringify(race.name)}) }));`;
      const outs = await Promise.all(
        [1, 2, 3].map(() => run(process.execPath, ['--input-type=module', '-e', script], { timeout: 120_000 })),
      );
      const results = outs.map((o) => JSON.parse(o.stdout.trim()) as { brokers: string[]; pid: number });
      for (const r of results) assert.deepEqual(r.brokers, ['127.0.0.1:39292']);
      assert.equal(new Set(results.map((r) => r.pid)).size, 1);
      assert.equal(processesMentioning(instancePaths(race.name).config).length, 1);
      assert.equal(await portOpen(39292), true);
    });
  });
});
