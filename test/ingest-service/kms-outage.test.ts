import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, it } from 'node:test';
import { CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import { KmsKeyringNode } from '@aws-crypto/client-node';
import type { Envelope } from '../../shared/envelope/index.js';
import { DEFAULT_POLICY } from '../../shared/policy/index.js';
import { ensureKafka, readAll } from '../support/kafka.js';
import kafkajs from 'kafkajs';
import { MOTO_REGION, motoDefaultCredentials, startMoto, type MotoServer } from '../support/moto.js';
import { makeSendgridBatch, startTestService, type TestService } from '../support/ingest.js';
import { openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';

/** A TCP proxy in front of moto that can be cut (KMS unreachable) and restored on the same port. */
async function pausableProxy(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  };
  const cut = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  };
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

let moto: MotoServer;
let proxy: Awaited<ReturnType<typeof pausableProxy>>;
let svc: TestService;
let brokers: string[];
const keys: Record<string, string> = {};

before(async () => {
  ({ brokers } = await ensureKafka());
  moto = await startMoto();
  proxy = await pausableProxy(new URL(moto.endpoint));
  const kms = new KMSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() });
  for (const d of ['support', 'security', 'analytics']) keys[d] = (await kms.send(new CreateKeyCommand({ Description: d }))).KeyMetadata!.Arn!;
  kms.destroy();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: MOTO_REGION });
  const policy = structuredClone(DEFAULT_POLICY) as any;
  for (const d of Object.keys(keys)) policy.departments[d].keys = [{ kms: keys[d] }];
  svc = await startTestService({
    brokers,
    // Tiny data-key budget so that every batch needs KMS: the outage cannot hide behind a cached key.
    overrides: { policy, kms: { region: MOTO_REGION, endpoint: proxy.url, cacheMaxMessages: 5, cacheMaxAgeSeconds: 300 } },
  });
});
after(async () => {
  await svc?.stop();
  await proxy?.close();
  await moto?.stop();
});

/** Records the topic holds (the sum of its partitions' high watermarks): exact, where a reader given a time may stop short. */
async function recordsIn(topic: string): Promise<number> {
  const admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${svc.service.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && !l.startsWith('#'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

it('KMS away: every request still gets 2xx, events wait encrypted in the journal, metrics show it, and they are sealed and forwarded when KMS returns', async () => {
  const topic = svc.config.sources[0]!.topic!;
  const first = makeSendgridBatch(5, 'kms-a');
  assert.equal((await svc.postSendgrid(first.body)).status, 200);
  assert.equal((await readAll(brokers, topic, 5, 30_000)).length, 5, 'sealed with KMS keys while KMS is up');

  await proxy.cut();
  const during = [makeSendgridBatch(10, 'kms-b'), makeSendgridBatch(10, 'kms-c')];
  for (const b of during) assert.equal((await svc.postSendgrid(b.body)).status, 200, 'KMS away is never the sender’s problem');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await metric('sealpost_kms_failed_calls_total')) === 0) await new Promise((r) => setTimeout(r, 200));
  assert.ok((await metric('sealpost_kms_failed_calls_total')) > 0, 'failed KMS calls are counted');
  assert.ok((await metric('sealpost_forward_failures_total')) > 0, 'forwarding failures are counted');
  assert.ok((await metric('sealpost_journal_pending')) >= 1, 'the events wait in the journal');
  assert.equal(await recordsIn(topic), 5, 'nothing reached Kafka unsealed (or at all) while KMS was away');

  await proxy.restore();
  const ids = during.flatMap((b) => b.ids);
  const records = await readAll(brokers, topic, 25, 90_000, {
    until: (m) => ids.every((id) => m.some((r) => (JSON.parse(r.value!.toString()) as Envelope).id === id)),
  });
  const envelopes = records.map((r) => JSON.parse(r.value!.toString()) as Envelope).filter((e) => ids.includes(e.id));
  assert.equal(new Set(envelopes.map((e) => e.id)).size, 20, 'every event accepted during the outage was forwarded after it');

  // A department reader opens a section with the stock SDK and its KMS key.
  // Subject keys are on: the subject key's record first (the KMS key), then the section (docs/forget.md).
  const keyring = new KmsKeyringNode({ keyIds: [keys.support!], clientProvider: () => new KMS({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() }) });
  const subjectKeys = await readSubjectKeys(brokers, svc.config.subjectKeys.topic, [envelopes[0]!]);
  const { plaintext } = await openEnvelopeSection(keyring, envelopes[0]!, 'support', subjectKeys);
  assert.equal(plaintext.id, envelopes[0]!.id);
});
