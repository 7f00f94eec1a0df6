// The compiled service (`npm run build`, then plain `node`, as `npm run start:prod` runs it) in a folder laid out
// like a pruned production install: no tsx, TypeScript or Electron anywhere on its import path, worker threads
// included. It must journal and forward sealed events into the real Kafka.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../../shared/envelope/index.js';
import { ensureKafka, readAll } from '../support/kafka.js';
import { sendgridSignedHeaders } from '../../ingest-service/src/dev/index.js';
import { freePort, makeSendgridBatch, SEED_BATCH, tempDataDir, testConfig, waitReady } from '../support/ingest.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';
import { nativeSeal } from '../../shared/seal/index.js';
import { buildPrunedApp, PRUNED_NODE_ARGS } from '../support/pruned-app.js';
import { until } from '../support/until.js';

const CHECKER = 'scripts/build/check-runtime-deps.mjs';

describe('compiled service (npm run build, plain node, production packages only)', () => {
  let app: ReturnType<typeof buildPrunedApp>;
  before(() => {
    app = buildPrunedApp();
  });
  after(() => {
    if (app) rmSync(app.dir, { recursive: true, force: true }); // a failed build left nothing: its own error is the one to see
  });

  it('the pruned layout has no dev package, and the build passed the runtime dependency check', () => {
    for (const dev of ['tsx', 'typescript', 'electron', 'esbuild']) assert.equal(existsSync(join(app.dir, 'node_modules', dev)), false, dev);
    // From the build's folder tsx cannot be loaded at all: a worker that booted through it would fail the next test.
    const tsx = spawnSync(process.execPath, [...PRUNED_NODE_ARGS, '--input-type=module', '-e', "await import('tsx/esm/api')"], { cwd: join(app.dir, 'dist'), encoding: 'utf8' });
    assert.notEqual(tsx.status, 0);
    assert.match(tsx.stderr, /ERR_MODULE_NOT_FOUND/);
    assert.match(app.buildOutput, /runtime dependency check: ok/);
    for (const worker of ['journal/writer-worker.js', 'expand/worker-main.js', 'kafka/sink-worker.js']) {
      assert.ok(existsSync(join(app.dir, 'dist/ingest-service/src', worker)), `${worker} is built`);
    }
  });

  it('a linked runtime package that imports a dev package fails to load in the pruned layout, as after npm prune', () => {
    // A runtime package whose real folder sits beside a dev package (as in the checkout's node_modules), linked into
    // the pruned app: resolved from its real path it would find the dev package; from the link it must not.
    const real = tempDataDir('sealpost-linked-');
    try {
      const pkg = join(real, 'node_modules', 'needs-dev');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'needs-dev', type: 'module', exports: './index.js' }));
      writeFileSync(join(pkg, 'index.js'), "import ts from 'typescript';\nexport const version = ts.version;\n");
      symlinkSync(join(process.cwd(), 'node_modules', 'typescript'), join(real, 'node_modules', 'typescript'), 'dir');
      symlinkSync(pkg, join(app.dir, 'node_modules', 'needs-dev'), 'dir');
      const load = (args: readonly string[]) =>
        spawnSync(process.execPath, [...args, '--input-type=module', '-e', "await import('needs-dev')"], { cwd: join(app.dir, 'dist'), encoding: 'utf8' });
      assert.equal(load([]).status, 0, 'without the flags the dev package is found through the real path (what this guards against)');
      const pruned = load(PRUNED_NODE_ARGS);
      assert.notEqual(pruned.status, 0);
      assert.match(pruned.stderr, /ERR_MODULE_NOT_FOUND[\s\S]*typescript|Cannot find package 'typescript'/);
    } finally {
      rmSync(join(app.dir, 'node_modules', 'needs-dev'), { force: true });
      rmSync(real, { recursive: true, force: true });
    }
  });

  it('journals and forwards a signed SendGrid batch into Kafka, sealed, reloads on SIGHUP and stops cleanly on SIGTERM', async () => {
    const { brokers } = await ensureKafka();
    const dataDir = tempDataDir();
    const port = await freePort();
    const { config, sendgridPrivateKey } = testConfig({ dataDir, brokers });
    const configFile = join(dataDir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...config, listen: { ...config.listen, port } }));
    // Plain node, no --import, no NODE_OPTIONS: a tsx or TypeScript import would fail to resolve from app.dir.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [...PRUNED_NODE_ARGS, '--enable-source-maps', app.main, '--config', configFile], { cwd: app.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url, 60_000, () => out);
      // The build carries the native core when this checkout has it (npm run build:native): the service must say it uses it.
      const startLine = await until(
        'the start log line',
        () => out.split('\n').find((l) => l.includes('"sealpost-ingest listening"')),
        (l) => l !== undefined,
        { show: () => `the service said:\n${out.slice(-2000)}` },
      );
      const { sealing } = JSON.parse(startLine!) as { sealing: string };
      if (nativeSeal()) assert.equal(sealing, 'native', 'the native core is built, so the compiled service seals natively');
      else assert.match(sealing, /^javascript \(/);
      const post = async (body: Buffer): Promise<number> => {
        const ts = Math.floor(Date.now() / 1000);
        const res = await fetch(`${url}/v1/sendgrid/sendgrid`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sendgridSignedHeaders(sendgridPrivateKey, body, ts) },
          body: new Uint8Array(body),
        });
        assert.equal(res.status, 200, await res.clone().text());
        return ((await res.json()) as { accepted: number }).accepted;
      };
      assert.equal(await post(SEED_BATCH), 14);
      assert.ok(existsSync(join(dataDir, 'journal.db')), 'journal written');

      const records = await readAll(brokers, config.sources[0]!.topic!, 14, 30_000);
      assert.equal(records.length, 14);
      const emails = (JSON.parse(SEED_BATCH.toString()) as { email: string }[]).map((e) => e.email);
      for (const r of records) for (const email of emails) assert.ok(!r.value!.toString().includes(email), 'no address in clear in Kafka');
      // The build writes what users get by default: v2, each section under a subject key the build put on the keys
      // topic (its key book and keys-topic writer, built too), opened in the two documented stock-SDK steps.
      const env0 = JSON.parse(records[0]!.value!.toString()) as Envelope;
      assert.equal(env0.schema, 'sealpost.envelope/2');
      assert.ok(env0.keys?.support, 'the support section is sealed under a subject key');
      const subjectKeys = await readSubjectKeys(brokers, config.subjectKeys.topic, [env0]);
      const opened = await openEnvelopeSection(departmentKeyring(dataDir, 'support'), env0, 'support', subjectKeys);
      assert.equal(opened.plaintext.id, env0.id);
      assert.ok(emails.includes(opened.plaintext.fields.email), 'the sealed section opens with the stock SDK');

      // Counted once the forwarder has Kafka's acknowledgement, which can come a moment after a reader sees the records.
      await until('14 events counted as forwarded', async () => (await fetch(`${url}/metrics`)).text(), (m) => /sealpost_events_forwarded_total\{source="sendgrid"\} 14\b/.test(m), {
        show: (m) => m.split('\n').filter((l) => l.startsWith('sealpost_events_')).join('\n'),
      });

      // SIGHUP (the unit's ExecReload) starts a fresh sealing thread from the build; it must seal too.
      child.kill('SIGHUP');
      await until('the SIGHUP reload', () => out, (o) => /SIGHUP: (reloaded|nothing to reload)/.test(o), { show: (o) => `the service said:\n${o.slice(-2000)}` });
      const more = makeSendgridBatch(5, 'after-reload');
      assert.equal(await post(more.body), 5);
      const after = await readAll(brokers, config.sources[0]!.topic!, 19, 30_000);
      assert.equal(after.length, 19, 'the batch posted after the reload is sealed and forwarded');
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out.slice(-2000));
      rmSync(dataDir, { recursive: true, force: true });
    }
    assert.doesNotMatch(out, /tsx|ERR_MODULE_NOT_FOUND/);
  });

  it('the runtime dependency check fails on a build that imports a dev dependency or a file not built', () => {
    const dir = tempDataDir('sealpost-check-');
    try {
      mkdirSync(join(dir, 'dist'));
      writeFileSync(join(dir, 'dist', 'a.js'), "import { register } from 'tsx/esm/api';\nimport './missing.js';\nexport const x = register;\n");
      writeFileSync(join(dir, 'package.json'), readFileSync('package.json'));
      const res = spawnSync(process.execPath, [CHECKER, join(dir, 'dist'), dir], { encoding: 'utf8' });
      assert.equal(res.status, 1);
      assert.match(res.stderr, /imports tsx\/esm\/api, but tsx is not in package.json dependencies \(a devDependency/);
      assert.match(res.stderr, /imports \.\/missing\.js, which is not in the build/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
