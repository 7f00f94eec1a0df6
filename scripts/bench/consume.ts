// npm run bench:consume [-- --records N --stock-records M --envelopes v2|v1 --subjects S] — records/s a department reads off a topic of sealed
// records: a raw kafkajs consumer (no parsing, no crypto: the ceiling), the same reader parsing each envelope's JSON and
// nothing else (the least any consumer of the topic does), the consumer kit with local keys and with KMS
// keys (moto), and a stock `decrypt()` loop (kafkajs + JSON.parse + the ESDK's decrypt + the context and id checks,
// what a department would write by hand). All in one run, one fresh consumer group each, from the beginning to the
// end. Wall-clock records/s from the first record read (the group join excluded) and this process's CPU µs per record (steadier on a shared machine). Last line: one JSON object. Goal: the kit with local keys at least half of the raw consumer's rate.
// Records are v2 by default, as the service writes them (subjectKeys.enabled): S people (default 10,000, as many as a reader's subject-key cache holds), each
// section under its person's subject key; --envelopes v1 seals every section under the department key.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createConsumerKeys, createDepartmentConsumer } from '../../shared/consumer/index.js';
import { localKeyring } from '../../shared/seal/index.js';
import { ensureKafka, uniqueTopic } from '../../test/support/kafka.js';
import { MOTO_DEFAULT_ACCOUNT, MOTO_REGION, motoDefaultCredentials, startMoto } from '../../test/support/moto.js';
import { createKeyIn } from '../../test/shared/kms/moto-kms.js';
import { deleteTopic, produceConsumeBenchTopic } from './consume-topic.js';
import { rawRead } from './raw-read.js';
import { readKeyRecords, stockRead } from './stock-read.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'stock-records': { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '3' },
    envelopes: { type: 'string', default: 'v2' },
    subjects: { type: 'string', default: '10000' },
  },
});
if (args.envelopes !== 'v1' && args.envelopes !== 'v2') throw new Error('--envelopes is v1 or v2');
const V2 = args.envelopes === 'v2';
const SUBJECTS = Number(args.subjects);
const RECORDS = Number(args.records);
const STOCK = Math.min(RECORDS, Number(args['stock-records']));
const log = (msg: string): void => void process.stderr.write(`[bench:consume] ${msg}\n`);
const rate = (n: number, ms: number): number => Math.round((n * 1000) / ms);

/** Wall ms and this process's CPU ms of `fn` (CPU is steadier than wall time on a shared machine). */
async function timed<T>(fn: () => Promise<T>): Promise<{ out: T; ms: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const cpu = process.cpuUsage(cpu0);
  return { out, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}
const cpuUs = (cpuMs: number, n: number): number => Number(((cpuMs * 1000) / n).toFixed(1));

const root = mkdtempSync(join(tmpdir(), 'sealpost-bench-consume-'));
const keysDir = join(root, 'keys');
mkdirSync(keysDir, { mode: 0o700 });
const moto = await startMoto();
const { brokers } = await ensureKafka();
const topic = uniqueTopic('sealpost-bench-consume');
const keysTopic = `${topic}.keys`;
try {
  const kmsKey = await createKeyIn(moto.endpoint, MOTO_DEFAULT_ACCOUNT);
  const policy = { departments: { support: { keys: [{ local: 'support' }] }, security: { keys: [{ kms: kmsKey }] } } };
  log(`sealing and producing ${RECORDS.toLocaleString('en-US')} ${V2 ? `v2 records (${SUBJECTS.toLocaleString('en-US')} people, subject keys on ${keysTopic})` : 'v1 records'} to ${topic}`);
  const made = await produceConsumeBenchTopic({
    brokers, topic, records: RECORDS, partitions: Number(args.partitions), policy, localDir: keysDir, kmsEndpoint: moto.endpoint,
    ...(V2 ? { v2: { subjects: SUBJECTS, keysTopic } } : {}),
    progress: (n) => n % 100_000 === 0 && log(`  ${n.toLocaleString('en-US')}`),
  });
  log(`sealed in ${(made.sealMs / 1000).toFixed(1)} s, produced in ${(made.produceMs / 1000).toFixed(1)} s`);

  const raw = await timed(() => rawRead(brokers, topic, RECORDS, () => undefined));
  const rawMs = raw.out; // rawRead's own time, from its first fetch (timed() adds the group join)
  log(`raw kafkajs: ${rate(RECORDS, rawMs)} records/s, ${cpuUs(raw.cpuMs, RECORDS)} µs CPU per record`);

  // The least any consumer of these records does: parse each envelope (JSON), open nothing.
  const parsed = await timed(() => rawRead(brokers, topic, RECORDS, (messages) => {
    for (const m of messages) if (m.value) JSON.parse(m.value.toString('utf8'));
  }));
  log(`JSON.parse only: ${rate(RECORDS, parsed.out)} records/s, ${cpuUs(parsed.cpuMs, RECORDS)} µs CPU per record`);

  const kit = async (department: string, keyOpts: Parameters<typeof createConsumerKeys>[0]) => {
    const keys = createConsumerKeys(keyOpts);
    let opened = 0;
    // From the first event handed over to the last, as rawRead times from its first batch (group join excluded).
    let started = 0;
    let last = 0;
    const consumer = createDepartmentConsumer({
      kafka: { brokers }, topic, department, keys, fromBeginning: true, untilEnd: true, keysTopic,
      handle: (e) => {
        last = performance.now();
        started ||= last;
        if (e.state === 'open') opened += 1;
      },
    });
    const { out: stats, cpuMs } = await timed(() => consumer.run());
    const ms = last - started;
    const decrypts = keys.kmsCalls().byOperation.Decrypt ?? 0;
    await keys.close();
    if (opened !== RECORDS) throw new Error(`kit ${department}: only ${opened} of ${RECORDS} opened: ${JSON.stringify(stats)}`);
    return { rps: rate(RECORDS, ms), cpuUs: cpuUs(cpuMs, RECORDS), decrypts };
  };
  const local = await kit('support', { keysDir });
  log(`kit, local keys: ${local.rps} records/s, ${local.cpuUs} µs CPU per record`);
  const kms = await kit('security', { credentials: motoDefaultCredentials(), accountIds: [MOTO_DEFAULT_ACCOUNT], region: MOTO_REGION, kmsEndpoint: moto.endpoint, stsEndpoint: moto.endpoint });
  log(`kit, KMS (moto): ${kms.rps} records/s, ${kms.cpuUs} µs CPU per record, ${kms.decrypts} KMS Decrypt calls`);

  const keyring = localKeyring('support', readFileSync(join(keysDir, 'support.key')));
  const keyRecords = await readKeyRecords(brokers, keysTopic, V2 ? Math.min(SUBJECTS, RECORDS) * Object.keys(policy.departments).length : 0);
  const stock = await timed(() => stockRead({ brokers, topic, limit: STOCK, department: 'support', keyring, keyRecords }));
  const stockMs = stock.out.ms;
  if (stock.out.opened !== STOCK) throw new Error(`stock decrypt opened ${stock.out.opened} of ${STOCK}`);
  log(`stock decrypt() loop over the first ${STOCK.toLocaleString('en-US')}: ${rate(STOCK, stockMs)} records/s, ${cpuUs(stock.cpuMs, STOCK)} µs CPU per record`);

  console.log(
    JSON.stringify({
      records: RECORDS,
      envelopes: args.envelopes,
      ...(V2 ? { subjects: SUBJECTS } : {}),
      partitions: made.partitions,
      raw_kafkajs_rps: rate(RECORDS, rawMs),
      parse_only_rps: rate(RECORDS, parsed.out),
      kit_local_rps: local.rps,
      kit_kms_rps: kms.rps,
      kit_kms_decrypt_calls: kms.decrypts,
      stock_decrypt_rps: rate(STOCK, stockMs),
      stock_records: STOCK,
      raw_cpu_us_per_record: cpuUs(raw.cpuMs, RECORDS),
      parse_only_cpu_us_per_record: cpuUs(parsed.cpuMs, RECORDS),
      kit_local_cpu_us_per_record: local.cpuUs,
      kit_kms_cpu_us_per_record: kms.cpuUs,
      stock_cpu_us_per_record: cpuUs(stock.cpuMs, STOCK),
      parse_only_vs_raw: Number((rate(RECORDS, parsed.out) / rate(RECORDS, rawMs)).toFixed(2)),
      kit_local_vs_raw: Number((local.rps / rate(RECORDS, rawMs)).toFixed(2)),
      kit_local_vs_parse_only: Number((local.rps / rate(RECORDS, parsed.out)).toFixed(2)),
      kit_local_vs_stock: Number((local.rps / rate(STOCK, stockMs)).toFixed(1)),
    }),
  );
} finally {
  await deleteTopic(brokers, topic, keysTopic).catch((err) => log(`could not delete ${topic}: ${(err as Error).message}`));
  await moto.stop();
  rmSync(root, { recursive: true, force: true });
}
process.exit(0);
