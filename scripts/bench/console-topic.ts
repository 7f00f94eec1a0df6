// The benchmark topic: 1,000,000 sealed records over 6 partitions, produced once and reused while it is complete.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { createSeedKit, produceRecords, sendgridEvent } from '../../test/console/support/seed.js';

/** A realistic mix: most events are processed/delivered/open, bounces and spam reports are rare. */
const MIX: [string, number][] = [
  ['processed', 0.3],
  ['delivered', 0.3],
  ['open', 0.2],
  ['click', 0.1],
  ['deferred', 0.05],
  ['bounce', 0.03],
  ['dropped', 0.015],
  ['spamreport', 0.005],
];
export const DISTINCT = 400;

/** The type of distinct event i, so that the mix above holds over the cycle. */
function typeOf(i: number): string {
  let acc = 0;
  const x = (i + 0.5) / DISTINCT;
  for (const [type, share] of MIX) {
    acc += share;
    if (x < acc) return type;
  }
  return 'processed';
}

export interface BenchTopic {
  topic: string;
  keysDir: string;
  records: number;
  /** An address that occurs in 1 of DISTINCT records (for the recipient search). */
  someRecipient: string;
  produced: boolean;
  produceMs: number;
}

/** Ensures the topic exists with `total` records (re-produced when missing or incomplete). */
export async function ensureBenchTopic(brokers: string[], total: number, root: string): Promise<BenchTopic> {
  const topic = `sealpost-bench-console-${total}`;
  const keysDir = join(root, 'keys');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let have = 0;
  try {
    if ((await admin.listTopics()).includes(topic)) {
      for (const o of await admin.fetchTopicOffsets(topic)) have += Number(o.high) - Number(o.low);
      if (have !== total) {
        await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const kit = createSeedKit({ keysDir });
  const someRecipient = 'user7@example.com';
  try {
    if (have === total) return { topic, keysDir, records: total, someRecipient, produced: false, produceMs: 0 };
    const distinct = await kit.build(Array.from({ length: DISTINCT }, (_, i) => sendgridEvent(i, { recipients: DISTINCT, type: typeOf(i) })));
    const started = Date.now();
    const now = Date.now();
    const step = Math.floor((12 * 3600 * 1000) / total); // spread over the last 12 hours (the broker keeps 24 h)
    const chunk = 100_000;
    for (let i = 0; i < total; i += chunk) {
      const slice = Array.from({ length: Math.min(chunk, total - i) }, (_, j) => distinct[(i + j) % DISTINCT]!);
      await produceRecords(brokers, topic, slice, { partitions: 6, batch: 500, inflight: 16, create: i === 0, timestampOf: (k) => now - (total - (i + k)) * step });
      process.stderr.write(`\rbench:console producing ${Math.min(total, i + chunk).toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`);
    }
    process.stderr.write('\n');
    return { topic, keysDir, records: total, someRecipient, produced: true, produceMs: Date.now() - started };
  } finally {
    await kit.close();
  }
}
