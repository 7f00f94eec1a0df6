// `npm run consume` against the real ingest service, the real broker and local department keys: the seed's
// 14-event SendGrid batch read by support, security and analytics, and the ways it refuses to start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { freePort, SEED_BATCH, startTestService, type TestService } from '../../support/ingest.js';
import { runConsumeCli } from './run-cli.js';

const SEED = JSON.parse(SEED_BATCH.toString('utf8')) as Array<Record<string, unknown>>;
const SUPPORT_FIELDS = new Set(['email', 'ip', 'useragent', 'url', 'reason', 'response']);

describe('npm run consume (real broker, local keys, the seed batch)', () => {
  let brokers: string[];
  let svc: TestService;
  let topic: string;
  let keys: string;
  const emptyKeys = mkdtempSync(join(tmpdir(), 'sealpost-nokeys-'));

  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startTestService({ brokers });
    topic = svc.config.sources.find((s) => s.id === 'sendgrid')!.topic!;
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    assert.equal((await readAll(brokers, topic, SEED.length)).length, SEED.length);
    keys = join(svc.dataDir, 'keys');
  });
  after(async () => {
    await svc?.stop();
    rmSync(emptyKeys, { recursive: true, force: true });
  });

  const read = (department: string, extra: string[] = []) =>
    runConsumeCli(['--brokers', brokers.join(','), '--topic', topic, '--keys-topic', svc.config.subjectKeys.topic, '--department', department, '--from-beginning', '--until-end', '--keys', keys, ...extra]);

  test('support opens its sections only; every event arrives once, with the clear part', async () => {
    const run = await read('support');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, SEED.length);
    assert.deepEqual(new Set(run.lines.map((l) => l.id)), new Set(SEED.map((e) => e.sg_event_id)));
    for (const line of run.lines) {
      assert.deepEqual(Object.keys(line), ['id', 'type', 'time', 'source', 'partition', 'offset', 'clear', 'fields']);
      const original = SEED.find((e) => e.sg_event_id === line.id)!;
      const fields = line.fields as Record<string, unknown>;
      for (const [k, v] of Object.entries(fields)) {
        assert.ok(SUPPORT_FIELDS.has(k), `support must not read ${k}`);
        assert.deepEqual(v, original[k]);
      }
      assert.equal(fields.email, original.email, 'support reads the address');
      assert.equal((line.clear as Record<string, unknown>).event, original.event);
    }
    assert.match(run.stderr, /14 events: 14 opened, 0 without a support section, 0 locked; 0 duplicates dropped/);
  });

  test('security opens every personal field; offsets are in order per partition', async () => {
    const run = await read('security');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, SEED.length);
    const last = new Map<number, bigint>();
    for (const line of run.lines) {
      const original = SEED.find((e) => e.sg_event_id === line.id)!;
      const fields = line.fields as Record<string, unknown>;
      for (const k of ['email', 'ip', 'useragent', 'url', 'reason', 'send_id', 'cp_code']) if (k in original) assert.deepEqual(fields[k], original[k], k);
      const p = line.partition as number;
      const o = BigInt(line.offset as string);
      assert.ok(o > (last.get(p) ?? -1n), `partition ${p} out of order`);
      last.set(p, o);
    }
  });

  test('analytics gets every event with the clear part and fields {}, and nothing personal anywhere in its output', async () => {
    const run = await read('analytics');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, SEED.length);
    for (const line of run.lines) assert.deepEqual(line.fields, {});
    for (const e of SEED) for (const k of ['email', 'ip', 'useragent', 'url']) if (typeof e[k] === 'string') assert.ok(!run.stdout.includes(e[k] as string), `${k} leaked`);
    assert.match(run.stderr, /14 events: 0 opened, 14 without a analytics section/);
  });

  test('a misspelt department is not an empty topic: the summary says no event carried its section and names those seen', async () => {
    const run = await read('suport');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, SEED.length);
    assert.match(run.stderr, /no event carried a suport section \(departments seen: security, support\)/);
  });

  test('--format table reads like the seed: DECRYPTED MESSAGE, the department and its data, then PARTITION', async () => {
    const run = await read('support', ['--format', 'table']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split('---------------- DECRYPTED MESSAGE --------------').length - 1, SEED.length);
    assert.equal(run.stdout.split('---------------- PARTITION --------------').length - 1, SEED.length);
    assert.match(run.stdout, /\{"department":"support","id":"[^"]+","type":"delivered",.*"data":\{"email":"chris@gmail.com"/);
  });

  test('without the department key file: every event locked not_granted, saying which file to copy, and reading goes on', async () => {
    const run = await runConsumeCli(['--brokers', brokers.join(','), '--topic', topic, '--keys-topic', svc.config.subjectKeys.topic, '--department', 'support', '--from-beginning', '--until-end', '--keys', emptyKeys]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.lines.length, SEED.length);
    for (const line of run.lines) {
      assert.equal(Object.keys(line).at(-1), 'locked');
      const locked = line.locked as { reason: string; message: string };
      assert.equal(locked.reason, 'not_granted');
      assert.match(locked.message, /support\.key/);
    }
  });

  test('a new group reads from the earliest offset; it resumes from its committed offsets: a new event is read once', async () => {
    const group = `cli-resume-${Date.now()}`;
    const args = ['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--group', group, '--until-end', '--keys', keys];
    const first = await runConsumeCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.lines.length, SEED.length);
    const again = await runConsumeCli(args);
    assert.equal(again.lines.length, 0, 'everything was committed by the first run');
    const batch = [{ ...SEED[1], sg_event_id: `resume-${Date.now()}` }];
    assert.equal((await svc.postSendgrid(JSON.stringify(batch))).status, 200);
    await readAll(brokers, topic, SEED.length + 1);
    const second = await runConsumeCli(args);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(second.lines.map((l) => l.id), [batch[0]!.sg_event_id]);
    const third = await runConsumeCli(args);
    assert.equal(third.lines.length, 0, 'committed after the second run');
  });

  test('tailing (no --until-end) stops cleanly on SIGTERM: exit 0, a summary, and what it printed is committed', async () => {
    const group = `cli-tail-${Date.now()}`;
    const args = ['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--group', group, '--keys', keys];
    let signalled = false;
    const run = await runConsumeCli(args, {
      onStdout: (text, child) => {
        if (!signalled && text.split('\n').length > SEED.length) {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.lines.length >= SEED.length);
    assert.match(run.stderr, /events: \d+ opened/);
    const after = await runConsumeCli([...args, '--until-end']);
    assert.equal(after.lines.length, 0, 'the tail committed what it printed');
  });

  test('a closed stdout (the reader of a pipe went away) is one clean stop: exit 0 every time, whatever the timing', async () => {
    const manyTopic = uniqueTopic('cli-epipe');
    const producer = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await producer.connect();
    // More output than a pipe buffers (~64 KiB), so the CLI is still writing when its reader goes away.
    await producer.send({ topic: manyTopic, messages: Array.from({ length: 3000 }, (_, i) => ({ key: 'k', value: `not an envelope ${i}` })) });
    await producer.disconnect();
    for (let run = 0; run < 3; run++) {
      const result = await runConsumeCli(['--brokers', brokers.join(','), '--topic', manyTopic, '--department', 'support', '--from-beginning', '--until-end', '--keys', keys, '--format', 'table'], {
        onStdout: (_text, child) => child.stdout.destroy(),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /stdout was closed: stopped/);
      assert.doesNotMatch(result.stderr, /error:/);
    }
  });

  test('a profile that cannot authenticate: exit 4 before reading, saying what to do', async () => {
    const run = await runConsumeCli(['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--until-end', '--profile', 'nobody', '--account', '222222222222'], {
      env: { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /profile nobody cannot authenticate with AWS .*pick another profile/);
    assert.equal(run.stdout, '');
  });

  test('--profile without --account: exit 2 before reading (KMS discovery is never left unfiltered)', async () => {
    const run = await runConsumeCli(['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--until-end', '--profile', 'support']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--profile needs --account ID/);
    assert.equal(run.stdout, '');
    const bad = await runConsumeCli(['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--profile', 'support', '--account', '12345']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--account must be a 12-digit AWS account id/);
  });

  test('cannot reach Kafka: exit 3 with what to check', async () => {
    const run = await runConsumeCli(['--brokers', `127.0.0.1:${await freePort()}`, '--topic', topic, '--department', 'support', '--until-end', '--keys', keys]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /cannot connect to Kafka.*check --brokers/);
  });

  test('an unknown topic: exit 3 naming it', async () => {
    const run = await runConsumeCli(['--brokers', brokers.join(','), '--topic', `${topic}-nope`, '--department', 'support', '--until-end', '--keys', keys]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /does not exist/);
  });

  test('bad arguments: exit 2 listing every problem; --help exits 0', async () => {
    const run = await runConsumeCli(['--group', 'g', '--from-beginning', '--format', 'xml', '--keys', keys, '--profile', 'p']);
    assert.equal(run.code, 2);
    for (const p of ['--brokers is required', '--topic is required', '--department is required', 'not both', '--format must be jsonl or table']) assert.ok(run.stderr.includes(p), p);
    const help = await runConsumeCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--department D/);
  });
});
