// npm run bench:console-scan — the console's clear-field scan in Node alone (the same createConsoleService the bridge and
// Electron run, no browser) beside the raw kafkajs consumer, for profiling: `node --cpu-prof --import tsx scripts/bench/console-scan.ts`.
// --records N (default 200,000) picks the topic size; --rounds K alternates scan and raw consumer K times and reports
// medians and the median of the pairwise ratios (the shared machine is noisy). Last line: one JSON object.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureKafka } from '../../test/support/kafka.js';
import { createConsoleService } from '../../electron/core/console-service.js';
import { createBlindIndexResolver } from '../../electron/core/identity/blind-index-key.js';
import { createProfileIdentities } from '../../electron/core/identity/profile-identities.js';
import { createSettingsStore, NO_SECRET_BOX } from '../../electron/core/settings/settings-store.js';
import { dispatch, type ArgsIn } from '../../shared/console-api/index.js';
import { rawConsumerRate } from './console-ceiling.js';
import { ensureBenchTopic } from './console-topic.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' }, filter: { type: 'string', default: 'type' }, rounds: { type: 'string', default: '1' }, 'no-raw': { type: 'boolean', default: false } } });
const total = Number(values.records);
const { brokers } = await ensureKafka();
const bench = await ensureBenchTopic(brokers, total, join(process.cwd(), '.sealpost', 'bench-console'));
const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
settings.patch({ localKeysDir: bench.keysDir });
const identities = createProfileIdentities({ settings });
const service = createConsoleService({ settings, identities, blindIndex: createBlindIndexResolver(settings, identities) });
const call = async (channel: 'console:connect' | 'scan:start' | 'scan:progress', args: unknown) => {
  const reply = await dispatch(service.handlers, channel, args as ArgsIn<typeof channel>);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as { scanId: string; state: string; scanned: number; matched: number; elapsedMs: number };
};
try {
  await call('console:connect', { connection: { name: 'bench', brokers } });
  const filters = values.filter === 'recipient' ? { recipient: bench.someRecipient } : { types: ['spamreport'] };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const scans: number[] = [];
  const raws: number[] = [];
  let matched = 0;
  for (let round = 0; round < Number(values.rounds); round++) {
    const start = await call('scan:start', { topic: bench.topic, filters, direction: 'oldest-first', maxMatches: 100_000, budget: { maxRecords: 100_000_000, maxMs: 600_000 } });
    let p = start;
    while (p.state === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      p = await call('scan:progress', { scanId: start.scanId, maxRows: 0 });
    }
    matched = p.matched;
    scans.push(Math.round(p.scanned / (p.elapsedMs / 1000)));
    // --no-raw: the scan alone (to profile only it).
    raws.push(values['no-raw'] ? NaN : (await rawConsumerRate(brokers, bench.topic, bench.records)).perSec);
    process.stderr.write(`bench:console-scan round ${round + 1}: scan ${scans.at(-1)} rec/s, raw consumer ${raws.at(-1)} rec/s\n`);
  }
  const ratios = scans.map((x, i) => x / raws[i]!);
  console.log(JSON.stringify({ bench: 'console-scan', records: bench.records, filter: values.filter, rounds: scans.length, matched, scan_per_s: median(scans), raw_consumer_per_s: median(raws), ratio: Math.round(median(ratios) * 100) / 100 }));
} finally {
  await service.close();
}
