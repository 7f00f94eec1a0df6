import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { isSealpostError } from '../../../shared/errors/index.js';
import { DEFAULT_POLICY } from '../../../shared/policy/index.js';
import { ENV_OVERRIDES, devCredentialPaths, loadConfig } from '../../../ingest-service/src/config/index.js';
import { tempDataDir } from '../../support/ingest.js';

function writeConfig(obj: unknown, ext = '.json'): string {
  const file = join(tempDataDir('sealpost-config-'), `config${ext}`);
  writeFileSync(file, ext === '.json' ? JSON.stringify(obj) : String(obj));
  return file;
}

const minimal = {
  sources: [{ id: 'audit', kind: 'events', verify: { hmacSecret: 'a-shared-secret-of-at-least-32-bytes' } }],
  policy: DEFAULT_POLICY,
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isSealpostError(err, 'SP_CONFIG_INVALID'), `expected SP_CONFIG_INVALID, got ${String(err)}`);
    return err.details!.problems as string[];
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration', () => {
  it('lists every problem at once, unknown keys by name', () => {
    const file = writeConfig({ ...minimal, listen: { port: 'eighty', hots: 'x' }, kafka: { brokers: ['nohostport'] }, colour: 'blue' });
    const problems = problemsOf(() => loadConfig({ file, env: {} }));
    assert.ok(problems.some((p) => p.includes('"colour"')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('"hots"')));
    assert.ok(problems.some((p) => p.startsWith('listen.port')));
    assert.ok(problems.some((p) => p.startsWith('kafka.brokers.0')));
  });

  it('applies SEALPOST_* overrides and refuses unknown SEALPOST_* variables', () => {
    const file = writeConfig(minimal);
    const config = loadConfig({ file, env: { SEALPOST_KAFKA_BROKERS: 'a:9092, b:9092', SEALPOST_LISTEN_PORT: '9999' } });
    assert.deepEqual(config.kafka?.brokers, ['a:9092', 'b:9092']);
    assert.equal(config.listen.port, 9999);
    assert.ok(Object.isFrozen(config.listen), 'frozen after validation');
    const problems = problemsOf(() => loadConfig({ file, env: { SEALPOST_KAFKA_BROKER: 'a:9092' } }));
    assert.match(problems[0]!, /unknown variable SEALPOST_KAFKA_BROKER/);
    // The console's and the tooling's variables share the prefix but not the namespace.
    assert.ok(loadConfig({ file, env: { SEALPOST_TEST_CHROMIUM: '/usr/bin/chromium', SEALPOST_CONSOLE_LOG: 'debug', SEALPOST_DEV_X: '1' } }));
  });

  it('resolves env: and file: secret references, and says which one is missing', () => {
    const secretFile = join(tempDataDir('sealpost-secret-'), 'hmac');
    writeFileSync(secretFile, 'from-file-0123456789abcdef0123456789\n');
    const withFile = loadConfig({ file: writeConfig({ ...minimal, sources: [{ id: 'audit', kind: 'events', verify: { hmacSecret: `file:${secretFile}` } }] }), env: {} });
    assert.equal(withFile.sources[0]!.kind === 'events' && withFile.sources[0]!.verify.hmacSecret, 'from-file-0123456789abcdef0123456789');
    const problems = problemsOf(() => loadConfig({ file: writeConfig({ ...minimal, sources: [{ id: 'audit', kind: 'events', verify: { hmacSecret: 'env:NOPE_SECRET' } }] }), env: {} }));
    assert.match(problems.join('\n'), /NOPE_SECRET is not set/);
  });

  it('refuses an hmacSecret or metrics.token shorter than 32 bytes, from the file or from env:', () => {
    const short = (hmacSecret: string) => ({ ...minimal, sources: [{ id: 'audit', kind: 'events', verify: { hmacSecret } }] });
    for (const [input, env] of [[short('s3cret'), {}], [short('env:AUDIT_SECRET'), { AUDIT_SECRET: 'x'.repeat(31) }]] as const) {
      const problems = problemsOf(() => loadConfig({ file: writeConfig(input), env }));
      assert.match(problems.join('\n'), /sources\.audit\.verify\.hmacSecret: a secret needs at least 32 bytes .*openssl rand -base64 32/);
      assert.ok(!problems.join('\n').includes('s3cret') && !problems.join('\n').includes('x'.repeat(31)), 'the secret is not echoed');
    }
    assert.ok(loadConfig({ file: writeConfig(short('env:AUDIT_SECRET')), env: { AUDIT_SECRET: 'x'.repeat(32) } }));
    const token = problemsOf(() => loadConfig({ file: writeConfig({ ...minimal, metrics: { token: 'short' } }), env: {} }));
    assert.match(token.join('\n'), /metrics\.token: a secret needs at least 32 bytes/);
    const noAdmin = problemsOf(() => loadConfig({ file: writeConfig({ ...minimal, metrics: { listener: 'admin' } }), env: {} }));
    assert.match(noAdmin.join('\n'), /metrics\.listener: "admin" needs the admin section/);
  });

  it('refuses plain HTTP off loopback unless asked for', () => {
    const problems = problemsOf(() => loadConfig({ file: writeConfig({ ...minimal, listen: { host: '0.0.0.0' } }), env: {} }));
    assert.match(problems.join('\n'), /listen.tls/);
    assert.equal(loadConfig({ file: writeConfig({ ...minimal, listen: { host: '0.0.0.0', allowPlainHttp: true } }), env: {} }).listen.host, '0.0.0.0');
  });

  it('refuses a policy that would lose fields (no department granted "*")', () => {
    const policy = structuredClone(DEFAULT_POLICY) as any;
    policy.rules.events.grants.security = ['actor'];
    const problems = problemsOf(() => loadConfig({ file: writeConfig({ ...minimal, policy }), env: {} }));
    assert.match(problems.join('\n'), /grant "\*"/);
  });

  it('runs the embedded default without a file, creating owner-only development credentials', () => {
    const dataDir = tempDataDir();
    const config = loadConfig({ env: { SEALPOST_DATA_DIR: dataDir } });
    assert.equal(config.listen.host, '127.0.0.1');
    assert.equal(config.listen.port, 8787);
    assert.equal(config.kafka, undefined);
    assert.deepEqual(config.sources.map((s) => s.id), ['sendgrid', 'audit']);
    assert.equal(statSync(devCredentialPaths(dataDir).sendgridPrivateKey).mode & 0o077, 0);
    // ~1.5 KB a held subject key: 20,000 keep each sealing thread near 30 MB (100,000 was ~150 MB a thread).
    assert.deepEqual(config.subjectKeys, { enabled: true, topic: 'sealpost.subject-keys', cacheSize: 20_000 });
  });

  it('refuses suppression-check credentials shared with an events source (one secret would both check and post events)', () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes';
    const bearer = { issuer: 'https://idp.example.com', audience: 'sealpost', publicKey: '-----BEGIN PUBLIC KEY-----' };
    const problems = problemsOf(() =>
      loadConfig({
        file: writeConfig({ ...minimal, sources: [{ id: 'audit', kind: 'events', verify: { hmacSecret: secret, bearer } }], suppressions: { check: { verify: { hmacSecret: secret, bearer } } } }),
        env: {},
      }),
    ).join('\n');
    assert.match(problems, /suppressions\.check\.verify\.hmacSecret: the same secret as sources\.audit/);
    assert.match(problems, /suppressions\.check\.verify\.bearer: the same issuer and audience as sources\.audit/);
    const own = loadConfig({ file: writeConfig({ ...minimal, suppressions: { check: { verify: { hmacSecret: 'b'.repeat(32), bearer: { ...bearer, audience: 'sealpost-check' } } } } }), env: {} });
    assert.equal(own.suppressions.check.verify?.hmacSecret, 'b'.repeat(32));
  });

  it('the README configuration example is valid', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration reference'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const file = writeConfig(yaml, '.yaml');
    const config = loadConfig({ file, env: { BILLING_AUDIT_SECRET: 'x'.repeat(32), KAFKA_PASSWORD: 'y', SUPPRESSION_CHECK_SECRET: 'z'.repeat(32) } });
    assert.equal(config.sources.length, 3);
    assert.equal(config.suppressions.check.verify?.hmacSecret, 'z'.repeat(32), 'the check secret is read from the environment');
    assert.ok(parseYaml(yaml));
  });

  it('--help names every environment override and --check validates', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'ingest-service/src/main.ts', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const name of Object.keys(ENV_OVERRIDES)) assert.ok(help.stdout.includes(name), `--help mentions ${name}`);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'ingest-service/src/main.ts', '--check', '--config', writeConfig({ nope: 1 })], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown key\(s\) "nope"/);
  });
});
