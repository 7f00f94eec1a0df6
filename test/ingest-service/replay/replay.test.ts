import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import type { AdminClient } from '../../../shared/aws-sign-in/index.js';
import type { ReplayJob } from '../../../shared/admin-api/index.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';

const { Kafka, logLevel } = kafkajs;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function finished(admin: AdminClient, id: string, timeoutMs = 60_000): Promise<ReplayJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const j = await admin.replayStatus(id);
    if (j.state !== 'running') return j;
    if (Date.now() > deadline) throw new Error(`replay still running: ${JSON.stringify(j)}`);
    await sleep(100);
  }
}
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isSealpostError(err)) return err.code;
    throw err;
  }
  return 'ACCEPTED';
}

describe('replay a Kafka topic range into another topic (real broker)', () => {
  let brokers: string[];
  let svc: AdminTestService;
  let admin: AdminClient;
  let kafka: InstanceType<typeof Kafka>;
  const src = uniqueTopic('replay-src');
  const T = Date.now() - 3600_000;

  const highWatermarks = async (topic: string): Promise<number> => {
    const a = kafka.admin();
    await a.connect();
    try {
      return (await a.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await a.disconnect();
    }
  };

  before(async () => {
    ({ brokers } = await ensureKafka());
    kafka = new Kafka({ clientId: 'replay-test', brokers, logLevel: logLevel.NOTHING });
    const a = kafka.admin();
    await a.connect();
    await a.createTopics({ waitForLeaders: true, topics: [{ topic: src, numPartitions: 3 }] });
    await a.disconnect();
    const p = kafka.producer();
    await p.connect();
    // Partition 0: ten records at times T+0..T+9 minutes; partitions 1 and 2: three records each at T+2, T+5, T+8 minutes.
    await p.send({
      topic: src,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `v${i}`, headers: { h: `h${i}` }, timestamp: String(T + i * 60_000) })),
    });
    for (const partition of [1, 2]) {
      await p.send({ topic: src, messages: [2, 5, 8].map((m) => ({ partition, key: `p${partition}-${m}`, value: `m${m}`, timestamp: String(T + m * 60_000) })) });
    }
    await p.disconnect();
    svc = await startAdminService({ brokers, admin: {} });
    admin = svc.local();
  });
  after(async () => {
    await svc?.stop();
  });

  it('copies an offset range of one partition as it is, in order, with the replayed-from header', async () => {
    const target = uniqueTopic('replay-dst');
    const job = await admin.replay({ sourceTopic: src, targetTopic: target, ranges: [{ partition: 0, from: { offset: '2' }, to: { offset: '5' } }] });
    assert.equal(job.state, 'running');
    assert.equal(job.total, 3);
    const done = await finished(admin, job.id);
    assert.equal(done.state, 'done');
    assert.equal(done.copied, 3);
    assert.deepEqual(done.partitions, [{ partition: 0, startOffset: '2', endOffset: '5', nextOffset: '5', copied: 3, total: 3 }]);
    const out = await readAll(brokers, target, 3, 20_000);
    assert.deepEqual(out.map((m) => m.key?.toString()), ['k2', 'k3', 'k4']);
    assert.deepEqual(out.map((m) => m.value?.toString()), ['v2', 'v3', 'v4']);
    assert.deepEqual(out.map((m) => m.headers.h?.toString()), ['h2', 'h3', 'h4']);
    assert.deepEqual(out.map((m) => m.headers['sealpost-replayed-from']?.toString()), [`${src}/0/2`, `${src}/0/3`, `${src}/0/4`]);
    assert.ok(out.every((m) => m.partition === 0), 'same partition, so order per partition is kept');
    assert.equal(await highWatermarks(target), 3, 'nothing else was written');
  });

  it('copies a time range across every partition', async () => {
    const target = uniqueTopic('replay-dst');
    const job = await admin.replay({
      sourceTopic: src,
      targetTopic: target,
      ranges: [{ partition: 'all', from: { time: new Date(T + 4 * 60_000).toISOString() }, to: { time: T + 8 * 60_000 } }],
    });
    const done = await finished(admin, job.id);
    assert.equal(done.state, 'done');
    // Partition 0: minutes 4..7 (4 records); partitions 1 and 2: minute 5 (1 each).
    assert.equal(done.total, 6);
    assert.equal(done.copied, 6);
    const out = await readAll(brokers, target, 6, 20_000);
    assert.deepEqual(out.map((m) => m.key?.toString()).sort(), ['k4', 'k5', 'k6', 'k7', 'p1-5', 'p2-5']);
    assert.equal(await highWatermarks(target), 6);
  });

  it('shows progress and stops when cancelled; what was copied stays, nothing more is written', async () => {
    const big = uniqueTopic('replay-big');
    const a = kafka.admin();
    await a.connect();
    await a.createTopics({ waitForLeaders: true, topics: [{ topic: big, numPartitions: 1 }] });
    await a.disconnect();
    const p = kafka.producer();
    await p.connect();
    const N = 60_000;
    for (let i = 0; i < N; i += 10_000) {
      await p.send({ topic: big, messages: Array.from({ length: 10_000 }, (_, j) => ({ key: `k${i + j}`, value: `value-${i + j}` })) });
    }
    await p.disconnect();

    const target = uniqueTopic('replay-dst');
    const job = await admin.replay({ sourceTopic: big, targetTopic: target, ranges: [{ partition: 0, from: { offset: '0' }, to: { offset: String(N) } }] });
    assert.equal(job.total, N);
    let seen: ReplayJob = job;
    const deadline = Date.now() + 60_000;
    while (seen.copied === 0 && seen.state === 'running' && Date.now() < deadline) {
      await sleep(20);
      seen = await admin.replayStatus(job.id);
    }
    assert.equal(seen.state, 'running', 'still copying when we look');
    assert.ok(seen.copied > 0 && seen.copied < N, `progress ${seen.copied}/${seen.total}`);
    const cancelled = await admin.cancelReplay(job.id);
    assert.equal(cancelled.state, 'cancelled');
    assert.ok(cancelled.copied < N, `cancelled before the end (${cancelled.copied}/${N})`);
    await sleep(1500);
    assert.equal((await admin.replayStatus(job.id)).copied, cancelled.copied, 'no progress after cancel');
    assert.equal(await highWatermarks(target), cancelled.copied, 'the target holds exactly what was copied');
    assert.ok((await admin.listReplays()).some((j) => j.id === job.id && j.state === 'cancelled'));

    const trail = (await admin.queryAudit({ target: `replay/${job.id}` })).events;
    assert.equal(trail.length, 1);
    assert.equal(trail[0]!.action, 'replay-cancel');
    assert.equal(trail[0]!.details.copied, cancelled.copied);
    const starts = (await admin.queryAudit({ action: 'replay', target: `topic/${big}` })).events;
    assert.equal(starts[0]!.details.replayId, job.id);
    assert.equal(starts[0]!.details.total, N);
  });

  it('refuses a replay into its own topic, from a missing topic, or of a missing partition', async () => {
    assert.equal(await codeOf(admin.replay({ sourceTopic: src, targetTopic: src, ranges: [{ partition: 0, from: { offset: '0' }, to: { offset: '1' } }] })), 'SP_ADMIN_BAD_REQUEST');
    assert.equal(await codeOf(admin.replay({ sourceTopic: uniqueTopic('nope'), targetTopic: uniqueTopic('x'), ranges: [{ partition: 0, from: { offset: '0' }, to: { offset: '1' } }] })), 'SP_REPLAY_TOPIC_MISSING');
    assert.equal(await codeOf(admin.replay({ sourceTopic: src, targetTopic: uniqueTopic('x'), ranges: [{ partition: 7, from: { offset: '0' }, to: { offset: '1' } }] })), 'SP_REPLAY_NO_SUCH_PARTITION');
    assert.equal(await codeOf(admin.replayStatus('00000000-0000-4000-8000-000000000000')), 'SP_REPLAY_NOT_FOUND');
    const failures = (await admin.queryAudit({ action: 'replay', outcome: 'failure' })).events.map((e) => e.details.code).sort();
    assert.deepEqual(failures, ['SP_REPLAY_NO_SUCH_PARTITION', 'SP_REPLAY_TOPIC_MISSING']);
  });
});
