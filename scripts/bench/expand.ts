// npm run bench:expand [-- --seconds S --departments N --subject-keys on|off --new-subject-every-event --service-root DIR] — CPU µs per event of the
// expand step alone (parse, policy split, blind index, subject keys, sealing, envelopes, suppression records, activity
// tally): what one expand worker does per event, in this process, with no broker, HTTP or journal. The load is
// bench:ingest's (batches of 100 SendGrid events, 5,000 recipients, one event in five a bounce; --new-subject-every-event:
// 50,000 recipients in turn, more than the subject-key cache holds, so each event makes and caches new keys). CPU time, not wall
// time, so a shared machine inflates it far less than the rates of bench:ingest; --service-root runs another checkout's
// expand step under the same load (a baseline, back to back). Last line: one JSON object.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateSendgridKeyPair } from '../../ingest-service/src/dev/index.js';
import { benchPolicy } from './bench-policy.js';
import { createBatchMaker } from './ingest-load.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    departments: { type: 'string', default: '2' },
    'subject-keys': { type: 'string', default: 'on' },
    'service-root': { type: 'string' },
    'new-subject-every-event': { type: 'boolean', default: false },
  },
});
const root = resolve(args['service-root'] ?? '.');
const log = (msg: string): void => void process.stderr.write(`[bench:expand] ${msg}\n`);
const from = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;

type ConfigModule = typeof import('../../ingest-service/src/config/index.js');
type TableModule = typeof import('../../ingest-service/src/config/source-table.js');
type PipelineModule = typeof import('../../ingest-service/src/expand/expand-pipeline.js');
const { loadConfig } = await from<ConfigModule>('ingest-service/src/config/index.ts');
const { sourceTable } = await from<TableModule>('ingest-service/src/config/source-table.ts');
const { createExpandPipeline } = await from<PipelineModule>('ingest-service/src/expand/expand-pipeline.ts');

const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-expand-'));
try {
  const configFile = join(dataDir, 'config.json');
  const subjectKeys = args['subject-keys'] === 'on';
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir,
      sources: [{ id: 'bench', kind: 'sendgrid', topic: 'bench.expand', verify: { publicKey: generateSendgridKeyPair().publicKey, maxAgeSeconds: 300 } }],
      policy: benchPolicy(Number(args.departments)),
      subjectKeys: subjectKeys ? { enabled: true, topic: 'bench.expand.keys' } : { enabled: false },
    }),
  );
  const config = loadConfig({ file: configFile, env: {} });
  const pipeline = createExpandPipeline(config, sourceTable(config), { instance: 'bench' });
  // The load is made before it is timed (its own JSON work is not the expand step's): 500 requests, taken in turn.
  const makeBatch = createBatchMaker({ run: 'x', batch: 100, audit: false, newSubjectEveryEvent: args['new-subject-every-event'] });
  const bodies = Array.from({ length: 500 }, () => makeBatch().body);
  let seq = 0;
  const expandOne = async (): Promise<number> => {
    const res = await pipeline.expand({ seq: ++seq, source: 'bench', receivedAt: Date.now(), payload: bodies[seq % bodies.length]! });
    // As the forwarder does once Kafka has them: key records produced are not sent again.
    if (res.keyRecords?.length) pipeline.produced(res.keyRecords.map((k) => k.key));
    return res.records.length;
  };
  log(`warming up (${subjectKeys ? 'subject keys on' : 'subject keys off'}, ${args.departments} departments, ${root === resolve('.') ? 'this checkout' : root})`);
  for (let i = 0; i < 100; i++) await expandOne();
  let events = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + Number(args.seconds) * 1000;
  while (performance.now() < end) events += await expandOne();
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  await pipeline.close();
  const result = {
    departments: Number(args.departments),
    subject_keys: subjectKeys ? 'on' : 'off',
    events,
    cpu_us_per_event: Number(((cpu.user + cpu.system) / events).toFixed(1)),
    wall_us_per_event: Number(((ms * 1000) / events).toFixed(1)),
  };
  log(`${events} events: ${result.cpu_us_per_event} µs CPU per event`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
