// Offset resets through the console's contract (the handlers Electron main and the test bridge run) against the
// real broker and a real consumer group, with a real ingest service's audit trail connected.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../../../support/kafka.js';
import { startAdminService, type AdminTestService } from '../../../ingest-service/admin/support.js';
import { consoleOn } from '../../admin/support.js';
import { until } from '../../../support/until.js';
import { applyOffsetReset } from '../../../../electron/core/groups/offset-reset.js';
import type { SealpostError } from '../../../../shared/errors/index.js';

const PARTITIONS = 3;
const PER_PARTITION = 20;
/** Record i of each partition is stamped BASE + i s (two hours ago: inside the broker's retention). */
const BASE = Math.floor((Date.now() - 2 * 3600_000) / 1000) * 1000;

describe('consumer group offset resets on the real broker', () => {
  let brokers: string[];
  let svc: AdminTestService;
  let c: ReturnType<typeof consoleOn>;
  let kafka: InstanceType<typeof kafkajs.Kafka>;
  let admin: kafkajs.Admin;
  const topic = uniqueTopic('offset-reset');
  const groupId = `${topic}-billing`;

  /** A real member of the group: consumes from its committed offsets, commits as it goes; resolves on `count` records. */
  async function runConsumer(count: number): Promise<{ seen: Map<number, number[]>; done: Promise<void>; stop(): Promise<void> }> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200 });
    const seen = new Map<number, number[]>();
    let total = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => (finish = r));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.set(partition, [...(seen.get(partition) ?? []), Number(message.offset)]);
        if (++total >= count) finish();
      },
    });
    return { seen, done, stop: () => consumer.disconnect() };
  }
  const committed = async (): Promise<number[]> => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  };

  before(async () => {
    ({ brokers } = await ensureKafka());
    kafka = new kafkajs.Kafka({ clientId: 'offset-reset-test', brokers, logLevel: kafkajs.logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < PARTITIONS; p++) {
      const messages = Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, value: `r${i}`, timestamp: String(BASE + i * 1_000) }));
      await producer.send({ topic, messages });
    }
    await producer.disconnect();
    // The group reads everything and commits: lag 0 everywhere.
    const member = await runConsumer(PARTITIONS * PER_PARTITION);
    await member.done;
    await until('the group to commit', committed, (o) => o.length === PARTITIONS && o.every((x) => x === PER_PARTITION));
    await member.stop();

    svc = await startAdminService({ brokers, admin: { audit: { topic: uniqueTopic('offset-reset-audit') } } });
    c = consoleOn();
    await c.call('console:connect', { connection: { name: 'local', brokers, auth: { kind: 'none' } }, remember: false });
    await c.call('service:connect', { url: svc.admin.url, auth: { kind: 'token', token: svc.admin.localToken!.token }, remember: false });
  });
  after(async () => {
    await c?.close();
    await admin?.disconnect();
    await svc?.stop();
  });

  it('previews a reset to earliest with the new lag, and writes nothing', async () => {
    const plan = await c.call('groups:reset-preview', { groupId, topic, to: { kind: 'earliest' } });
    assert.equal(plan.blocked, null);
    assert.equal(plan.members, 0);
    assert.equal(plan.appliedAt, null);
    assert.deepEqual(
      plan.partitions.map((p) => [p.partition, p.committed, p.target, p.lagBefore, p.lagAfter]),
      [0, 1, 2].map((p) => [p, String(PER_PARTITION), '0', 0, PER_PARTITION]),
    );
    assert.deepEqual([plan.lagBefore, plan.lagAfter], [0, PARTITIONS * PER_PARTITION]);
    assert.deepEqual(await committed(), [PER_PARTITION, PER_PARTITION, PER_PARTITION], 'a preview commits nothing');
  });

  it('applies a reset of one partition to earliest: only that partition moves, the lag shows it, the audit trail has it', async () => {
    const done = await c.call('groups:reset-apply', { groupId, topic, to: { kind: 'earliest' }, partitions: [1] });
    assert.ok(done.appliedAt);
    assert.deepEqual(done.partitions.map((p) => [p.partition, p.committed]), [[1, '0']]);
    assert.deepEqual(await committed(), [PER_PARTITION, 0, PER_PARTITION]);
    const lag = (await c.call('groups:lag', { topic })).find((g) => g.groupId === groupId);
    assert.equal(lag?.totalLag, PER_PARTITION);
    const events = (await until('the reset report', () => c.call('audit:query', { service: svc.admin.url, action: 'offset-reset', target: `group/${groupId}` }), (r) => r.events.length >= 1)).events;
    assert.equal(events[0]!.outcome, 'success');
    assert.deepEqual({ ...events[0]!.details }, { topic, to: 'earliest', partitions: [1], lagBefore: 0, lagAfter: PER_PARTITION, members: 0 });
  });

  it('resets to a time and to an offset (clamped to what the partition holds)', async () => {
    await c.call('groups:reset-apply', { groupId, topic, to: { kind: 'time', at: BASE + 10_000 } });
    assert.deepEqual(await committed(), [10, 10, 10], 'the first record at or after the time');
    const plan = await c.call('groups:reset-preview', { groupId, topic, to: { kind: 'offset', offset: '999' }, partitions: [0] });
    assert.deepEqual(plan.partitions.map((p) => [p.target, p.clamped, p.lagAfter]), [[String(PER_PARTITION), true, 0]]);
    await c.call('groups:reset-apply', { groupId, topic, to: { kind: 'offset', offset: '5' }, partitions: [0] });
    assert.deepEqual(await committed(), [5, 10, 10]);
    assert.equal((await c.refusal('groups:reset-preview', { groupId, topic, to: { kind: 'offset', offset: '1' }, partitions: [7] })).code, 'SP_CONSOLE_NO_SUCH_PARTITION');
    assert.equal((await c.refusal('groups:reset-apply', { groupId: 'a group; with spaces', topic, to: { kind: 'earliest' } })).code, 'SP_CONSOLE_BAD_ARGS');
  });

  it('a consumer restarted after the reset re-reads from the new offsets; while it runs, resets are refused and audited as denied', async () => {
    const member = await runConsumer(15 + 10 + 10);
    try {
      await member.done;
      assert.deepEqual([0, 1, 2].map((p) => member.seen.get(p)?.[0]), [5, 10, 10], 'each partition resumes at its reset offset');
      const plan = await c.call('groups:reset-preview', { groupId, topic, to: { kind: 'latest' } });
      assert.match(plan.blocked ?? '', /1 active member .*stop its consumers first/);
      const before = await committed();
      const refused = await c.refusal('groups:reset-apply', { groupId, topic, to: { kind: 'latest' } });
      assert.equal(refused.code, 'SP_CONSOLE_GROUP_ACTIVE');
      assert.match(refused.message, /stop its consumers first/);
      assert.deepEqual(await committed(), before, 'nothing written while the group is active');
      const denied = await until('the denied report', () => c.call('audit:query', { service: svc.admin.url, action: 'offset-reset', outcome: 'denied' }), (r) => r.events.length >= 1);
      assert.equal(denied.events[0]!.details.code, 'SP_CONSOLE_GROUP_ACTIVE');
    } finally {
      await member.stop();
    }
  });
  it('with no ingest service connected, a reset is refused before anything is written: resets are audited', async () => {
    const alone = consoleOn();
    try {
      await alone.call('console:connect', { connection: { name: 'local', brokers, auth: { kind: 'none' } }, remember: false });
      const before = await committed();
      const refused = await alone.refusal('groups:reset-apply', { groupId, topic, to: { kind: 'earliest' } });
      assert.equal(refused.code, 'SP_CONSOLE_RESET_NEEDS_SERVICE');
      assert.equal(refused.message, 'connect an ingest service first: resets are audited');
      assert.deepEqual(await committed(), before, 'nothing written');
    } finally {
      await alone.close();
    }
  });

  it('a reset the service cannot record is not answered as a success: the operator is told it was applied unaudited', async () => {
    const gone = await startAdminService({ brokers, admin: { audit: { topic: uniqueTopic('offset-reset-audit-gone') } } });
    const other = consoleOn();
    try {
      await other.call('console:connect', { connection: { name: 'local', brokers, auth: { kind: 'none' } }, remember: false });
      await other.call('service:connect', { url: gone.admin.url, auth: { kind: 'token', token: gone.admin.localToken!.token }, remember: false });
      await gone.stop();
      const refused = await other.refusal('groups:reset-apply', { groupId, topic, to: { kind: 'latest' } });
      assert.equal(refused.code, 'SP_CONSOLE_RESET_UNAUDITED');
      assert.match(refused.message, /WAS APPLIED, but the ingest service did not record it/);
      assert.deepEqual(await committed(), [PER_PARTITION, PER_PARTITION, PER_PARTITION], 'the reset itself went through');
    } finally {
      await other.close();
      await gone.stop().catch(() => {});
    }
  });
  it('members that join between the check and the commit: the refusal gives the real state and member count of the group', async () => {
    const members = [await runConsumer(1), await runConsumer(1)];
    try {
      await until('two members in the group', async () => (await admin.describeGroups([groupId])).groups[0]!, (g) => g.state === 'Stable' && g.members.length === 2);
      // The real admin, except that its first look at the group is the one taken before the two joined.
      let first = true;
      const raced = new Proxy(admin, {
        get(target, prop, receiver) {
          if (prop === 'describeGroups') {
            return async (ids: string[]) => {
              const real = await target.describeGroups(ids);
              if (!first) return real;
              first = false;
              return { groups: real.groups.map((g) => ({ ...g, state: 'Empty', members: [] })) };
            };
          }
          return Reflect.get(target, prop, receiver);
        },
      });
      await assert.rejects(applyOffsetReset(raced, { groupId, topic, to: { kind: 'earliest' } }), (e: SealpostError) => {
        assert.equal(e.code, 'SP_CONSOLE_GROUP_ACTIVE');
        assert.deepEqual(e.details, { groupId, members: 2, state: 'Stable' });
        return true;
      });
    } finally {
      for (const m of members) await m.stop();
    }
  });
});
