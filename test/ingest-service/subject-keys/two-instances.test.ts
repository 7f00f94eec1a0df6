// Two instances sharing the topics (each its own data dir, the same department and blind-index keys, as
// docs/deploy.md says): a forget on A reaches B's follower within seconds, and keys still on their way are
// shredded by the rule of docs/forget.md whichever instance reads them.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, it } from 'node:test';
import { createAdminClient } from '../../../shared/aws-sign-in/index.js';
import { startService, type RunningService } from '../../../ingest-service/src/service.js';
import { SEED_BATCH, tempDataDir, testConfig } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { sendgridSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { blindIndexOf, keyRecord, keysTopicState, metricValue, produceKeyRecords } from './support.js';

const running: RunningService[] = [];
const dirs: string[] = [];
after(async () => {
  for (const s of running) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it('forget on A: B\'s follower applies the marker within seconds; late keys are shredded by the instance that must', async () => {
  const { brokers } = await ensureKafka();
  const prefix = uniqueTopic('fgt2');
  const start = async (name: string, prepare?: (dataDir: string) => void) => {
    const dataDir = tempDataDir(`sealpost-forget-${name}-`);
    dirs.push(dataDir);
    prepare?.(dataDir);
    const { config, sendgridPrivateKey } = testConfig({ dataDir, brokers, topicPrefix: prefix, overrides: { admin: { listen: { host: '127.0.0.1', port: 0 }, audit: { topic: `${prefix}.admin-audit` } } } });
    const logs: string[] = [];
    const service = await startService(config, { logDestination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) });
    running.push(service);
    const admin = createAdminClient({ url: service.admin!.url, token: service.admin!.localToken!.token });
    return { service, admin, dataDir, config, sendgridPrivateKey, logs };
  };
  const a = await start('a');
  const post = await fetch(`${a.service.url}/v1/sendgrid/sendgrid`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sendgridSignedHeaders(a.sendgridPrivateKey, SEED_BATCH, Math.floor(Date.now() / 1000)) },
    body: new Uint8Array(SEED_BATCH),
  });
  assert.equal(post.status, 200);
  await until('A to forward the seed batch', () => a.admin.status(), (s) => s.sources.find((x) => x.id === 'sendgrid')!.forwarded === 14);
  const shared = readdirSync(join(a.dataDir, 'keys')).filter((f) => f.endsWith('.key') && f !== 'journal.key' && !f.startsWith('admin-'));
  const b = await start('b', (dataDir) => {
    mkdirSync(join(dataDir, 'keys'), { mode: 0o700 });
    for (const f of shared) copyFileSync(join(a.dataDir, 'keys', f), join(dataDir, 'keys', f));
  });
  const topic = a.config.subjectKeys.topic;
  assert.equal(b.config.subjectKeys.topic, topic);
  const chris = blindIndexOf(a.dataDir, 'chris@gmail.com');
  assert.equal(blindIndexOf(b.dataDir, 'chris@gmail.com'), chris, 'both instances index alike');

  const old = await keyRecord(a.dataDir, chris, 'support', { createdAt: Date.now() - 30_000 });
  await produceKeyRecords(brokers, topic, [old]);
  const forgotten = await a.admin.forgetSubject('chris@gmail.com', 'DSR-2026-0100');
  const answeredAt = Date.now();
  assert.equal(forgotten.keysTombstoned, 1);
  const F = Date.parse(forgotten.forgottenAt);

  // B never got a request: its follower read the marker and told its expand side (the metric counts exactly that call).
  await until('B to apply the marker', async () => metricValue(await b.service.metrics.registry.metrics(), 'sealpost_forget_markers_applied_total'), (n) => n === 1, { timeoutMs: 10_000 });
  const seenAfterMs = Date.now() - answeredAt;
  assert.ok(seenAfterMs < 10_000, `B saw it ${seenAfterMs} ms after the answer`);
  assert.ok(b.logs.join('').includes('forget markers applied'));

  // Keys still on their way when the forget happened, read after the marker:
  const beforeF = await keyRecord(a.dataDir, chris, 'security', { createdAt: F - 500, instance: 'some-third-instance' });
  const bOwn = await keyRecord(a.dataDir, chris, 'support', { createdAt: F + 300, instance: b.service.instance });
  const newData = await keyRecord(a.dataDir, chris, 'support', { createdAt: F + 300, instance: 'some-third-instance' });
  await produceKeyRecords(brokers, topic, [beforeF, bOwn, newData]);
  // Each instance reads the topic to its end before a forget: after these, both have judged the three keys.
  await a.admin.forgetSubject('someone-else@example.com', 'sync');
  await b.admin.forgetSubject('another-one@example.com', 'sync');
  const state = await until(
    'the late keys to be tombstoned',
    () => keysTopicState(brokers, topic),
    (s) => s.latest.get(beforeF.key) === null && s.latest.get(bOwn.key) === null,
    { show: (s) => JSON.stringify([beforeF, bOwn, newData].map((r) => String(s.latest.get(r.key)?.length ?? s.latest.get(r.key)))) + ` ${s.messages.length} messages` },
  );
  assert.equal(state.latest.get(old.key), null);
  assert.ok(state.latest.get(newData.key), 'a key another instance made after the forget is a new key for new data: it stays');
  const tombstonedBy = async (s: RunningService) => metricValue(await s.metrics.registry.metrics(), 'sealpost_subject_keys_tombstoned_total', 'by="follower"');
  // Only B may shred bOwn (made after F by B, before or just as it saw the marker: OWN_KEY_GRACE_MS): A's rule keeps it.
  assert.ok((await tombstonedBy(b.service)) >= 1, 'B\'s follower produced tombstones');
  console.log(`B applied the forget marker ${seenAfterMs} ms after A answered`);
});
