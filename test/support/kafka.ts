// Real-Kafka harness for tests: the shared local broker, private brokers for fault tests, and a read-back helper.
// The broker itself (jars from Maven Central, KRaft single node) lives in scripts/kafka/broker.mjs.
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { IHeaders } from 'kafkajs';
import {
  destroyInstance,
  ensureShared,
  instancePaths,
  runningPid,
  startInstance,
  stopInstance,
} from '../../scripts/kafka/broker.mjs';

const { Kafka, logLevel } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/**
 * The shared broker on 127.0.0.1:39092, started when nothing answers there. Safe to call from many test files at
 * once (cross-process lock); the broker stays up after the tests (detached, holds no handle on the runner), and
 * tests must never stop it — use startKafkaInstance() for that.
 */
export async function ensureKafka(): Promise<{ brokers: string[] }> {
  return ensureShared();
}

/** A private broker a fault test may stop and restart; see startKafkaInstance. */
export interface KafkaInstance {
  brokers: string[];
  /** Stops the broker cleanly; data is kept (like a broker restart or outage). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves when it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its data and logs. */
  destroy(): Promise<void>;
}

const privatePids = new Map<string, number>();
let exitHookInstalled = false;

/** A crashed test must not leave private JVMs behind: kill what was not destroyed when the process exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of privatePids.values()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/**
 * Starts a PRIVATE single-node broker for tests that stop/restart Kafka, so the shared broker never goes down
 * under other tests. Listens on 127.0.0.1:port, its controller on port+1 (pick ports far from 39092/39093 and
 * distinct per test file). Starts from empty data (leftovers of a crashed earlier run are wiped).
 */
export async function startKafkaInstance(opts: { name: string; port: number }): Promise<KafkaInstance> {
  if (opts.name === 'shared') throw new Error('startKafkaInstance: "shared" is the shared broker, pick another name');
  const spec = { name: opts.name, port: opts.port, controllerPort: opts.port + 1 };
  installExitHook();
  await destroyInstance(spec.name);
  const start = async (): Promise<void> => {
    const { pid } = await startInstance(spec, { heapMb: 384 });
    privatePids.set(spec.name, pid);
  };
  const stop = async (): Promise<void> => {
    await stopInstance(spec.name);
    privatePids.delete(spec.name);
  };
  await start();
  return {
    brokers: [`127.0.0.1:${spec.port}`],
    start,
    stop,
    destroy: async () => {
      await destroyInstance(spec.name);
      privatePids.delete(spec.name);
    },
  };
}

/** A topic name no other test (or earlier run) uses, so tests never see each other's messages. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** One consumed record, as a test wants to look at it. */
export interface ReadMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  partition: number;
  offset: string;
  timestamp: string;
}

/**
 * Consumes `topic` from the beginning (fresh consumer group) until `expectedCount` messages arrived or `timeoutMs`
 * passed, and returns what arrived (fewer than expected on timeout — assert on the length). expectedCount 0 waits the
 * whole timeout, for "nothing was published" checks. With at-least-once delivery a topic may hold repeats, so a
 * count alone can stop early: `until` adds a condition (e.g. "every id seen") checked once the count is reached.
 */
export async function readAll(
  brokers: string[],
  topic: string,
  expectedCount: number,
  timeoutMs = 20_000,
  opts: { until?: (messages: readonly ReadMessage[]) => boolean } = {},
): Promise<ReadMessage[]> {
  const kafka = new Kafka({ clientId: 'sealpost-test-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `test-reader-${randomBytes(6).toString('hex')}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 200,
  });
  const messages: ReadMessage[] = [];
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const timer = setTimeout(() => finish(), timeoutMs);
  try {
    await waitForTopic(kafka, topic, timeoutMs);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
        });
        if (expectedCount > 0 && messages.length >= expectedCount && (!opts.until || opts.until(messages))) finish();
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
  return messages.slice();
}

/** Waits until `topic` exists (a producer under test may create it a moment after the reader starts). */
async function waitForTopic(kafka: InstanceType<typeof Kafka>, topic: string, timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Where a private or shared instance writes its log, for failure messages. */
export function kafkaLogPath(name = 'shared'): string {
  return instancePaths(name).log;
}

/** True while the named instance's JVM (from this checkout) is alive. */
export function kafkaInstanceRunning(name: string): boolean {
  return runningPid(name) !== undefined;
}
