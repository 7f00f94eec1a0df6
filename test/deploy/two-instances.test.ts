// Several instances behind a load balancer: each has its own journal, so dedupe is per instance. Two real service
// processes (own data dirs, one topic on the shared broker) get the same signed SendGrid batch: accepted by A,
// retried on B, retried again on A. What reaches Kafka is exactly the README's guarantee: every event at least once,
// a duplicate per extra instance that took the batch, none from the instance that had already forwarded it, and
// the same envelope `id` on both copies so consumers can drop them.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import type { Envelope } from '../../shared/envelope/index.js';
import { ensureKafka, readAll } from '../support/kafka.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';
import { sendgridSignedHeaders } from '../../ingest-service/src/dev/index.js';
import { freePort, SEED_BATCH, spawnService, tempDataDir, testConfig, waitReady } from '../support/ingest.js';
import { until } from '../support/until.js';

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

async function metric(url: string, name: string): Promise<number> {
  const line = (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name}{source="sendgrid"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

it('the same batch accepted by instance A and retried on B reaches Kafka twice, with the same ids; a retry on A is dropped', async () => {
  const { brokers } = await ensureKafka();
  const configDir = tempDataDir();
  dirs.push(configDir);
  const { config, sendgridPrivateKey } = testConfig({ dataDir: configDir, brokers });
  const start = async (name: string, prepare?: (dataDir: string) => void): Promise<{ url: string; dataDir: string }> => {
    const dataDir = tempDataDir(`sealpost-instance-${name}-`);
    dirs.push(dataDir);
    prepare?.(dataDir);
    const port = await freePort();
    const file = join(dataDir, 'config.json');
    writeFileSync(file, JSON.stringify({ ...config, dataDir, listen: { ...config.listen, port } }));
    const proc = spawnService(file);
    children.push(proc.child);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, 60_000, proc.stderr);
    return { url, dataDir };
  };
  // One signed delivery, as SendGrid would send it again on a retry: same body, same timestamp, same signature.
  const ts = Math.floor(Date.now() / 1000);
  const headers = { 'content-type': 'application/json', ...sendgridSignedHeaders(sendgridPrivateKey, SEED_BATCH, ts) };
  const deliver = async (url: string): Promise<number> => {
    const res = await fetch(`${url}/v1/sendgrid/sendgrid`, { method: 'POST', headers, body: new Uint8Array(SEED_BATCH) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { accepted: number }).accepted;
  };
  const topic = config.sources[0]!.topic!;

  const a = await start('a');
  assert.equal(await deliver(a.url), 14);
  await until('A to forward the batch', () => metric(a.url, 'sealpost_events_forwarded_total'), (n) => n === 14);
  // As docs/deploy.md says: instances share the department and blind-index keys; journal and admin keys are their own.
  const shared = readdirSync(join(a.dataDir, 'keys')).filter((f) => f.endsWith('.key') && f !== 'journal.key' && !f.startsWith('admin-'));
  assert.ok(shared.includes('blind-index.hmac.key') && shared.includes('support.key'), shared.join(' '));
  const b = await start('b', (dataDir) => {
    mkdirSync(join(dataDir, 'keys'), { mode: 0o700 });
    for (const f of shared) copyFileSync(join(a.dataDir, 'keys', f), join(dataDir, 'keys', f));
  });
  assert.equal(await deliver(b.url), 14, 'B has its own journal: it accepts the retry');
  assert.equal(await deliver(a.url), 14, 'A answers 200 to its own retry too (the sender must stop retrying)...');
  await until('B to forward its copy', () => metric(b.url, 'sealpost_events_forwarded_total'), (n) => n === 14);
  await until('A to drop its retry', () => metric(a.url, 'sealpost_duplicates_dropped_total'), (n) => n === 14);
  assert.equal(await metric(a.url, 'sealpost_events_forwarded_total'), 14, '...but forwards nothing again');

  // Ask for one more than expected: the read runs its whole timeout and shows everything that arrived.
  const records = await readAll(brokers, topic, 29, 10_000);
  assert.equal(records.length, 28, 'each of the 14 events twice: once from A, once from B');
  const copies = new Map<string, { key: string; support: string; env: Envelope }[]>();
  for (const r of records) {
    const env = JSON.parse(r.value!.toString()) as Envelope;
    copies.set(env.id, [...(copies.get(env.id) ?? []), { key: r.key!.toString('hex'), support: env.sections.support!, env }]);
  }
  assert.equal(copies.size, 14, 'both copies carry the same envelope id');
  assert.deepEqual([...new Set([...copies.values()].map((c) => c.length))], [2]);
  for (const [first, second] of copies.values()) {
    assert.equal(first!.key, second!.key, 'same recipient key on both copies (shared blind-index key): per-recipient order holds');
    assert.notEqual(first!.support, second!.support, 'sealed twice, independently');
  }
  // Both copies open with the one support key, to the same event: each under a subject key its instance made
  // (a subject may have several keys; both are on the shared keys topic).
  const [id, [first, second]] = [...copies.entries()][0]! as [string, { env: Envelope }[]];
  const keys = await readSubjectKeys(brokers, config.subjectKeys.topic, [first!.env, second!.env]);
  const support = departmentKeyring(a.dataDir, 'support');
  for (const copy of [first!, second!]) assert.equal((await openEnvelopeSection(support, copy.env, 'support', keys)).plaintext.id, id);
  const makers = [first!, second!].map((c) => keys.get(c.env.keys!.support!)!.instance);
  assert.notEqual(makers[0], makers[1], 'each instance made and named its own key');
});
