// npm run bench:consume-cpu [-- --records N --subjects S --rounds R --kit-root DIR] — CPU µs per v2 record the consumer
// kit spends in this process, with no broker: (open) openRecords over N records in memory, 500 at a time, and (consumer)
// a department consumer's eachBatch (batch-handler.ts: dedupe window, handler calls, offsets, commits) fed the same
// records as kafkajs batches (1 MiB per partition, 3 partitions) by a double of kafkajs' EachBatchPayload. Records are
// bench:consume's (local keys, S people, sealed 10,000 at a time); every subject key is opened in a warm-up pass, as in
// a long-running consumer; (cold) openRecords again with new keys, so every person's subject key is opened on their
// first record, as a reader starting up does (with S = N, one key per record: the worst case). --kit-root runs another checkout's kit in the same process, rounds alternating, medians
// reported (a baseline). CPU time, steadier than wall time on a shared machine; kafkajs itself is not in the figure
// (bench:consume has it). Last line: one JSON object.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Batch, EachBatchPayload, KafkaMessage, OffsetsByTopicPartition } from 'kafkajs';
import type { ConsumedRecord } from '../../shared/consumer/index.js';
import { staticKeys, type KeysRecord } from '../../test/shared/subject-keys/v2-fixtures.js';
import { createSubjects, sealSubjectEnvelopes } from '../../test/shared/subject-keys/v2-sealer.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '30000' },
    subjects: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    'kit-root': { type: 'string' },
  },
});
const RECORDS = Number(args.records);
const ROUNDS = Number(args.rounds);
const PARTITIONS = 3;
const BATCH_BYTES = 1024 * 1024; // kafkajs' default maxBytesPerPartition
const log = (msg: string): void => void process.stderr.write(`[bench:consume-cpu] ${msg}\n`);

type KitModule = typeof import('../../shared/consumer/index.js');
type BatchModule = typeof import('../../shared/consumer/batch-handler.js');
type StatsModule = typeof import('../../shared/consumer/stats.js');
interface Kit {
  label: string;
  kit: KitModule;
  batch: BatchModule;
  stats: StatsModule;
}
async function loadKit(label: string, root: string): Promise<Kit> {
  const from = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
  return { label, kit: await from('shared/consumer/index.ts'), batch: await from('shared/consumer/batch-handler.ts'), stats: await from('shared/consumer/stats.ts') };
}

const cpuNow = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fixed = (x: number): number => Number(x.toFixed(2));

/** kafkajs-shaped batches of the records: per partition, up to BATCH_BYTES of values each. */
function batchesOf(values: Buffer[]): Array<{ partition: number; messages: KafkaMessage[] }> {
  const out: Array<{ partition: number; messages: KafkaMessage[] }> = [];
  for (let p = 0; p < PARTITIONS; p++) {
    let messages: KafkaMessage[] = [];
    let bytes = 0;
    let offset = 0;
    for (let i = p; i < values.length; i += PARTITIONS) {
      const value = values[i]!;
      messages.push({ key: null, value, timestamp: '1767225600000', attributes: 0, offset: String(offset++), headers: {} });
      bytes += value.length;
      if (bytes >= BATCH_BYTES) {
        out.push({ partition: p, messages });
        messages = [];
        bytes = 0;
      }
    }
    if (messages.length) out.push({ partition: p, messages });
  }
  return out;
}

/** A double of kafkajs' EachBatchPayload: offsets resolved into a map, commits that succeed at once. */
function payloadOf(topic: string, partition: number, messages: KafkaMessage[], resolved: Map<number, string>): EachBatchPayload {
  const last = messages[messages.length - 1]!.offset;
  const batch: Batch = {
    topic,
    partition,
    highWatermark: String(Number(last) + 1),
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => messages[0]?.offset ?? null,
    lastOffset: () => last,
    offsetLag: () => '0',
    offsetLagLow: () => '0',
  };
  const uncommitted = (): OffsetsByTopicPartition => ({ topics: [{ topic, partitions: [{ partition, offset: String(Number(resolved.get(partition) ?? -1) + 1) }] }] });
  return {
    batch,
    resolveOffset: (offset) => void resolved.set(partition, offset),
    heartbeat: async () => {},
    pause: () => () => {},
    commitOffsetsIfNecessary: async () => {},
    uncommittedOffsets: uncommitted,
    isRunning: () => true,
    isStale: () => false,
  };
}

const root = mkdtempSync(join(tmpdir(), 'sealpost-bench-consume-cpu-'));
try {
  const keysDir = join(root, 'keys');
  mkdirSync(keysDir, { mode: 0o700 });
  const policy = { departments: { support: { keys: [{ local: 'support' }] }, security: { keys: [{ local: 'security' }] } } };
  const people = createSubjects(Number(args.subjects));
  const values: Buffer[] = [];
  const keyRecords: KeysRecord[] = [];
  for (let at = 0; at < RECORDS; at += 10_000) {
    const sealed = await sealSubjectEnvelopes({ policy, people, count: Math.min(10_000, RECORDS - at), offset: at, localDir: keysDir, idPrefix: `b${at}` });
    for (const e of sealed.envelopes) values.push(Buffer.from(JSON.stringify(e)));
    keyRecords.push(...sealed.keyRecords);
  }
  const records: ConsumedRecord[] = values.map((value, i) => ({ partition: i % PARTITIONS, offset: String(Math.floor(i / PARTITIONS)), value }));
  const batches = batchesOf(values);
  log(`${RECORDS} v2 records (${args.subjects} people, ~${Math.round(values.reduce((n, v) => n + v.length, 0) / RECORDS)} bytes), ${batches.length} batches`);

  const kits = [await loadKit('new', resolve('.'))];
  if (args['kit-root']) kits.unshift(await loadKit('base', resolve(args['kit-root'])));
  const sides = kits.map((k) => ({ ...k, book: staticKeys(keyRecords), keys: k.kit.createConsumerKeys({ keysDir }), open: [] as number[], consumer: [] as number[], cold: [] as number[] }));

  const openAll = async (side: (typeof sides)[number], keys = side.keys): Promise<number> => {
    let opened = 0;
    for (let at = 0; at < records.length; at += 500) {
      const events = await side.kit.openRecords(records.slice(at, at + 500), { department: 'support', keys, subjectKeys: side.book });
      for (const e of events) if (e.state === 'open') opened += 1;
    }
    return opened;
  };
  const consumeAll = async (side: (typeof sides)[number]): Promise<number> => {
    let opened = 0;
    const stats = side.stats.createConsumerStats();
    const eachBatch = side.batch.createBatchHandler(
      {
        department: 'support', keys: side.keys, subjectKeys: side.book, chunk: 500, seen: side.kit.createDedupeWindow(100_000), stats,
        app: { handle: (e) => void (e.state === 'open' && (opened += 1)) },
      },
      { stopping: () => false, fail: (err) => { throw err; }, target: () => undefined, reached: () => {} },
    );
    const resolved = new Map<number, string>();
    for (const b of batches) await eachBatch(payloadOf('bench.consume-cpu', b.partition, b.messages, resolved));
    return opened;
  };

  for (const side of sides) {
    const opened = await openAll(side); // opens every subject key (and warms the JIT)
    if (opened !== RECORDS) throw new Error(`${side.label}: only ${opened} of ${RECORDS} opened`);
    await consumeAll(side);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of sides) {
      let c0 = cpuNow();
      if ((await openAll(side)) !== RECORDS) throw new Error(`${side.label}: not every record opened`);
      side.open.push((cpuNow() - c0) / RECORDS);
      c0 = cpuNow();
      if ((await consumeAll(side)) !== RECORDS) throw new Error(`${side.label}: not every record handed over`);
      side.consumer.push((cpuNow() - c0) / RECORDS);
      // Cold: new keys, so each person's subject key is opened on their first record (a reader starting up).
      const fresh = side.kit.createConsumerKeys({ keysDir });
      c0 = cpuNow();
      if ((await openAll(side, fresh)) !== RECORDS) throw new Error(`${side.label}: not every record opened cold`);
      side.cold.push((cpuNow() - c0) / RECORDS);
      await fresh.close();
    }
    log(`round ${r + 1}: ${sides.map((s) => `${s.label} open ${s.open[r]!.toFixed(2)} µs, consumer ${s.consumer[r]!.toFixed(2)} µs, cold ${s.cold[r]!.toFixed(2)} µs`).join('; ')}`);
  }
  const result: Record<string, number | string> = { records: RECORDS, subjects: Number(args.subjects), rounds: ROUNDS };
  for (const side of sides) {
    const prefix = side.label === 'new' ? '' : `${side.label}_`;
    result[`${prefix}open_cpu_us_per_record`] = fixed(median(side.open));
    result[`${prefix}consumer_cpu_us_per_record`] = fixed(median(side.consumer));
    result[`${prefix}cold_open_cpu_us_per_record`] = fixed(median(side.cold));
    await side.keys.close();
  }
  console.log(JSON.stringify(result));
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(0);
