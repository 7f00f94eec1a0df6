import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startKafkaInstance, uniqueTopic, type KafkaInstance } from '../../../support/kafka.js';
import { createConsoleService } from '../../../../electron/core/console-service.js';
import { noIdentities } from '../../../support/no-identities.js';
import { createSettingsStore, NO_SECRET_BOX } from '../../../../electron/core/settings/settings-store.js';
import { dispatch, type ArgsIn, type Channel, type ConsoleHandlers, type ResultOf } from '../../../../shared/console-api/index.js';

// kafkajs's cluster asks, at every metadata refresh, for every topic it was ever asked about, and the broker refuses
// the whole refresh once one of them is deleted. A topic the console had opened (its partitions, lag, a read window,
// a reset preview), then deleted by someone else, made every page of a topic the session had not opened yet fail with
// "Kafka reported an error" until the console reconnected. A private broker: other tests' topic churn stays out.

/** The pages opened on a topic, each as the renderer calls it, with what it shows of a topic of 3 records (2 + 1). */
const PAGES = {
  partitions: {
    open: (topic: string) => call('topic:partitions', { topic }),
    shows: (r: ResultOf<'topic:partitions'>) => r.partitions.map((p) => p.records),
    expected: [2, 1],
  },
  lag: {
    open: (topic: string) => call('groups:lag', { topic }),
    shows: (r: ResultOf<'groups:lag'>) => r.map((g) => [g.groupId.endsWith('-billing'), g.totalLag]),
    expected: [[true, 2]],
  },
  window: {
    open: (topic: string) => call('messages:window', { topic, mode: 'newest', limit: 10 }),
    shows: (r: ResultOf<'messages:window'>) => r.rows.map((row) => `${row.partition}:${row.offset}`).sort(),
    expected: ['0:0', '0:1', '1:0'],
  },
  'reset preview': {
    open: (topic: string) => call('groups:reset-preview', { groupId: `${topic}-billing`, topic, to: { kind: 'earliest' } }),
    shows: (r: ResultOf<'groups:reset-preview'>) => [r.lagBefore, r.lagAfter],
    expected: [2, 3],
  },
} as const;

let broker: KafkaInstance;
let admin: kafkajs.Admin;
let kafka: kafkajs.Kafka;
let handlers: ConsoleHandlers;
let close: () => Promise<void>;
const prefix = uniqueTopic('deleted-topic');

/** Calls a channel through the contract, as IPC does; a refusal becomes an Error carrying its code. */
async function call<C extends Channel>(channel: C, args?: ArgsIn<C>): Promise<ResultOf<C>> {
  const reply = await dispatch(handlers, channel, args);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  return reply.value as ResultOf<C>;
}

/** Creates `topic` (2 partitions: 2 records, 1 record) with group `<topic>-billing` committed at 1 on partition 0 only. */
async function createTopic(topic: string): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, messages: [{ partition: 0, value: 'a' }, { partition: 0, value: 'b' }, { partition: 1, value: 'c' }] });
  await producer.disconnect();
  await admin.setOffsets({ groupId: `${topic}-billing`, topic, partitions: [{ partition: 0, offset: '1' }] });
}

/** Another operator deletes `topic`; resolves once the broker no longer lists it. */
async function deleteTopic(topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic] });
  for (let attempt = 1; (await admin.listTopics()).includes(topic); attempt++) {
    if (attempt === 40) throw new Error(`${topic} still listed after its deletion`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

before(async () => {
  broker = await startKafkaInstance({ name: 'console-deleted-topic', port: 39992 });
  kafka = new kafkajs.Kafka({ brokers: broker.brokers, logLevel: kafkajs.logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  for (const page of Object.keys(PAGES)) for (const which of ['opened', 'unopened']) await createTopic(`${prefix}-${page.replace(' ', '-')}-${which}`);
  const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
  const service = createConsoleService({ settings, identities: noIdentities, blindIndex: async () => (address) => address });
  ({ handlers, close } = service);
});

after(async () => {
  await close?.();
  await admin?.disconnect();
  await broker?.destroy();
});

describe('a topic the console had opened, then deleted by someone else', () => {
  for (const [page, { open, shows, expected }] of Object.entries(PAGES)) {
    test(`${page}: a topic not opened before still opens, and the deleted one says it does not exist`, async () => {
      const opened = `${prefix}-${page.replace(' ', '-')}-opened`;
      const unopened = `${prefix}-${page.replace(' ', '-')}-unopened`;
      // A session of its own: what an earlier page's deletion did to the session stays out of this page.
      await call('console:connect', { connection: { name: 'private', brokers: broker.brokers } });
      assert.deepEqual(shows((await open(opened)) as never), expected);
      await deleteTopic(opened);

      assert.deepEqual(shows((await open(unopened)) as never), expected, 'a topic the session had not opened yet');
      assert.deepEqual(shows((await open(unopened)) as never), expected, 'and again');

      const started = Date.now();
      await assert.rejects(open(opened), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'SP_CONSOLE_TOPIC_NOT_FOUND', err.message);
        assert.match(err.message, new RegExp(opened));
        return true;
      });
      const elapsed = Date.now() - started;
      // kafkajs's own retries (one, 150 ms apart) and one listing of the cluster's topics: not a storm of them.
      assert.ok(elapsed < 2_000, `the deleted topic answered in ${elapsed} ms`);
    });
  }
});
