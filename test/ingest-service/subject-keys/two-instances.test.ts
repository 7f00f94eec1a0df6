// Two service processes sharing the topics (each its own data dir and instance id, the same department and
// blind-index keys, as docs/deploy.md says). B made and caches chris's keys; the forget is asked of A. B's
// follower applies the marker and B's expand worker stops using his old keys within seconds; a key record of
// his made before the forget that lands late is tombstoned; example's keys stay.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { after, it } from 'node:test';
import { createAdminClient } from '../../../shared/aws-sign-in/index.js';
import { sendgridSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { freePort, SEED_BATCH, spawnService, tempDataDir, testConfig, waitReady } from '../../support/ingest.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { departmentKeyring, openEnvelopeSection } from '../../support/local-decrypt.js';
import { until } from '../../support/until.js';
import { blindIndexOf, byId, eventAbout, keysTopicState, liveKeyMap, liveKeysOf, metricValue, redeliver } from './support.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) {
    if (c.exitCode !== null) continue;
    c.kill('SIGTERM');
    await once(c, 'exit');
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('forget on A: B stops sealing under his old keys within seconds, his late key record is tombstoned, example keeps hers', async () => {
  const { brokers } = await ensureKafka();
  const configDir = tempDataDir();
  dirs.push(configDir);
  const prefix = uniqueTopic('fgt2');
  const { config, sendgridPrivateKey } = testConfig({ dataDir: configDir, brokers, topicPrefix: prefix });
  const start = async (name: string, prepare?: (dataDir: string) => void) => {
    const dataDir = tempDataDir(`sealpost-forget-${name}-`);
    dirs.push(dataDir);
    prepare?.(dataDir);
    const [port, adminPort] = [await freePort(), await freePort()];
    const file = join(dataDir, 'config.json');
    const admin = { listen: { host: '127.0.0.1', port: adminPort }, audit: { topic: `${prefix}.admin-audit` } };
    writeFileSync(file, JSON.stringify({ ...config, dataDir, listen: { ...config.listen, port }, admin }));
    const proc = spawnService(file);
    children.push(proc.child);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, 60_000, proc.stderr);
    const token = readFileSync(join(dataDir, 'keys', 'admin-local.token'), 'utf8').trim();
    return { url, dataDir, admin: createAdminClient({ url: `http://127.0.0.1:${adminPort}`, token }) };
  };
  const post = async (url: string, body: string | Buffer): Promise<void> => {
    const buf = Buffer.from(body);
    const res = await fetch(`${url}/v1/sendgrid/sendgrid`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sendgridSignedHeaders(sendgridPrivateKey, buf, Math.floor(Date.now() / 1000)) },
      body: new Uint8Array(buf),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const metric = async (url: string, name: string, labels = '') => metricValue(await (await fetch(`${url}/metrics`)).text(), name, labels);
  const forwardedBy = (url: string, n: number) => until(`${n} events forwarded`, () => metric(url, 'sealpost_events_forwarded_total', 'source="sendgrid"'), (v) => v === n);

  const a = await start('a');
  // One event through A first: its keys (the blind-index key included) exist before B copies them.
  await post(a.url, eventAbout('example@test.com', 'via-a'));
  await forwardedBy(a.url, 1);
  const shared = readdirSync(join(a.dataDir, 'keys')).filter((f) => f.endsWith('.key') && f !== 'journal.key' && !f.startsWith('admin-'));
  const b = await start('b', (dataDir) => {
    mkdirSync(join(dataDir, 'keys'), { mode: 0o700 });
    for (const f of shared) copyFileSync(join(a.dataDir, 'keys', f), join(dataDir, 'keys', f));
  });
  const chris = blindIndexOf(a.dataDir, 'chris@gmail.com');
  const example = blindIndexOf(a.dataDir, 'example@test.com');
  assert.equal(blindIndexOf(b.dataDir, 'chris@gmail.com'), chris, 'both instances index alike');

  // B gets the seed batch: its expand worker makes and caches chris's and example's keys.
  await post(b.url, SEED_BATCH);
  await forwardedBy(b.url, 14);
  const topic = config.subjectKeys.topic;
  const before = await keysTopicState(brokers, topic);
  const his = liveKeysOf(before, chris);
  const hers = liveKeysOf(before, example);
  assert.equal(his.length, 2);
  const old = new Set(his.map((k) => k.value.keyId));

  const forgotten = await a.admin.forgetSubject('chris@gmail.com', 'DSR-2026-0100');
  const answeredAt = Date.now();
  assert.equal(forgotten.keysTombstoned, 2, 'A knew the keys B made, from the keys topic');
  assert.ok(his.every((k) => k.value.instance !== undefined && Date.parse(k.value.createdAt) <= Date.parse(forgotten.forgottenAt)));

  // B never got a request: its follower reads the marker, its worker drops his cached keys. Meanwhile an
  // event of his is posted to B every 250 ms.
  let appliedAfterMs = Infinity;
  const applied = until('B to apply the marker', () => metric(b.url, 'sealpost_forget_markers_applied_total'), (n) => n === 1, { timeoutMs: 10_000 }).then(
    () => (appliedAfterMs = Date.now() - answeredAt),
  );
  const probes: { id: string; at: number }[] = [];
  for (let i = 0; Date.now() - answeredAt < 6_000; i++) {
    const id = `probe-${i}`;
    probes.push({ id, at: Date.now() - answeredAt });
    await post(b.url, eventAbout('chris@gmail.com', id));
    await sleep(250);
  }
  await applied;
  assert.ok(appliedAfterMs < 5_000, `B applied the marker ${appliedAfterMs} ms after A answered`);
  await forwardedBy(b.url, 14 + probes.length);
  const envelopes = byId(await readAll(brokers, config.sources[0]!.topic!, 15 + probes.length, 30_000)); // A's one event too
  const underOld = probes.filter((p) => old.has(envelopes.get(p.id)!.keys!.support!) || old.has(envelopes.get(p.id)!.keys!.security!));
  assert.deepEqual(underOld.filter((p) => p.at > appliedAfterMs), [], 'once B applied the marker, no event of his is sealed under his old keys');
  // His key record made before the forget lands again after the tombstones: shredded, whoever reads it.
  await redeliver(brokers, topic, his);
  const state = await until('his late key records tombstoned', () => keysTopicState(brokers, topic), (s) => his.every((k) => s.latest.get(k.key) === null));
  for (const k of hers) assert.ok(state.latest.get(k.key)?.equals(k.raw), "example's keys stay");
  // New data after the forget, once past the grace: under a new key that is live and opens.
  const last = envelopes.get(probes[probes.length - 1]!.id)!;
  assert.ok(!old.has(last.keys!.support!));
  const opened = await openEnvelopeSection(departmentKeyring(b.dataDir, 'support'), last, 'support', liveKeyMap(state));
  assert.equal(opened.plaintext.fields.email, 'chris@gmail.com');
  console.log(`B applied the forget marker ${appliedAfterMs} ms after A answered; ${underOld.length} of ${probes.length} probes under his old keys (the last at ${underOld.at(-1)?.at ?? '-'} ms)`);
});
