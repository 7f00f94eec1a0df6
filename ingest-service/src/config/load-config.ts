import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { SealpostError } from '../../../shared/errors/index.js';
import { isLoopbackHost } from '../../../shared/net/index.js';
import { configSchema, type Config } from './config-schema.js';
import { embeddedDefaultConfig } from './embedded-default.js';
import { CONFIG_ERRORS } from './errors.js';

/** Environment variables that override the file (or the embedded default). Anything else named SEALPOST_* is an error. */
export const ENV_OVERRIDES: Record<string, { path: string; describe: string; parse: (v: string) => unknown }> = {
  SEALPOST_DATA_DIR: { path: 'dataDir', describe: 'data directory (journal, local keys)', parse: (v) => v },
  SEALPOST_LISTEN_HOST: { path: 'listen.host', describe: 'address to listen on', parse: (v) => v },
  SEALPOST_LISTEN_PORT: { path: 'listen.port', describe: 'port to listen on', parse: (v) => Number(v) },
  SEALPOST_KAFKA_BROKERS: {
    path: 'kafka.brokers',
    describe: 'comma-separated host:port list; turns forwarding to Kafka on',
    parse: (v) => v.split(',').map((s) => s.trim()).filter(Boolean),
  },
  SEALPOST_KAFKA_SASL_PASSWORD: { path: 'kafka.sasl.password', describe: 'SASL password (keeps it out of the file)', parse: (v) => v },
  SEALPOST_KMS_ENDPOINT: { path: 'kms.endpoint', describe: 'KMS endpoint URL (KMS-compatible servers, VPC endpoints)', parse: (v) => v },
  SEALPOST_KMS_REGION: { path: 'kms.region', describe: 'KMS region', parse: (v) => v },
  SEALPOST_LOG_LEVEL: { path: 'log.level', describe: 'fatal|error|warn|info|debug|trace|silent', parse: (v) => v },
};

/** Env vars read by the CLI itself rather than mapped onto the config. */
const CLI_ENV = new Set(['SEALPOST_CONFIG']);

/** Namespaces the service leaves alone: the console's settings and the project's test and dev tooling. */
const OTHER_NAMESPACES = /^SEALPOST_(CONSOLE|TEST|DEV)_/;

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SealpostError(CONFIG_ERRORS.unreadable, `cannot read config file ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    const parsed: unknown = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new SealpostError(CONFIG_ERRORS.unreadable, `config file ${file} is not valid YAML/JSON: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Resolves `env:NAME` and `file:PATH` references in secret-bearing fields, so secrets can stay out
 * of the config file. Returns problems rather than throwing, to report them with the others.
 */
function resolveSecretRef(value: string, where: string, env: NodeJS.ProcessEnv, problems: string[]): string {
  if (value.startsWith('env:')) {
    const v = env[value.slice(4)];
    if (v === undefined || v === '') problems.push(`${where}: environment variable ${value.slice(4)} is not set`);
    return v ?? '';
  }
  if (value.startsWith('file:')) {
    try {
      return readFileSync(value.slice(5), 'utf8').trim();
    } catch (e) {
      problems.push(`${where}: cannot read ${value.slice(5)}: ${(e as Error).message}`);
      return '';
    }
  }
  return value;
}

/** Shortest shared secret accepted: 32 bytes, the HMAC-SHA256 key size; anything shorter can be guessed offline from one signed request. */
export const MIN_SECRET_BYTES = 32;

function requireSecretBytes(secret: string, where: string, problems: string[]): void {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (secret !== '' && bytes < MIN_SECRET_BYTES) {
    problems.push(`${where}: a secret needs at least ${MIN_SECRET_BYTES} bytes (this one has ${bytes}); generate one with: openssl rand -base64 32`);
  }
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${path}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${path}: ${issue.message}`;
}


/**
 * The check's credentials must be its own: the HMAC covers only timestamp and body (not the route), and a bearer
 * token is accepted by its issuer and audience, so a secret or an (issuer, audience) shared with an `events` source
 * lets a system allowed to check post audit events (a captured check replayed as one), and the reverse.
 */
function sharedCheckCredentials(config: Config): string[] {
  const check = config.suppressions.check.verify;
  if (!check) return [];
  const out: string[] = [];
  for (const s of config.sources) {
    if (s.kind !== 'events') continue;
    if (check.hmacSecret && s.verify.hmacSecret === check.hmacSecret) out.push(`suppressions.check.verify.hmacSecret: the same secret as sources.${s.id}; give the check a secret of its own (openssl rand -base64 32)`);
    if (check.bearer && s.verify.bearer && s.verify.bearer.issuer === check.bearer.issuer && s.verify.bearer.audience === check.bearer.audience) {
      out.push(`suppressions.check.verify.bearer: the same issuer and audience as sources.${s.id}, so one token would do both; give the check an audience of its own`);
    }
  }
  return out;
}

/**
 * Loads the configuration once, at start: the file (YAML or JSON) or the embedded default, then the
 * SEALPOST_* environment overrides, validated as a whole. Every problem is listed in one error; the
 * result is frozen.
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (name.startsWith('SEALPOST_') && !(name in ENV_OVERRIDES) && !CLI_ENV.has(name) && !OTHER_NAMESPACES.test(name)) {
      problems.push(`environment: unknown variable ${name} (known: ${[...Object.keys(ENV_OVERRIDES), ...CLI_ENV].join(', ')})`);
    }
  }
  const file = opts.file ?? env.SEALPOST_CONFIG;
  const raw: Record<string, unknown> = file
    ? readConfigFile(resolve(file))
    : (embeddedDefaultConfig(env.SEALPOST_DATA_DIR ?? './.sealpost') as Record<string, unknown>);
  for (const [name, o] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(raw, o.path, o.parse(v));
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) problems.push(...result.error.issues.map(formatIssue));
  if (problems.length > 0 || !result.success) {
    throw new SealpostError(CONFIG_ERRORS.invalid, `configuration is invalid${file ? ` (${file})` : ''}:\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
  const config = result.data;
  const ids = new Set<string>();
  for (const s of config.sources) {
    if (ids.has(s.id)) problems.push(`sources: id "${s.id}" is used twice`);
    ids.add(s.id);
    if (s.kind === 'events' && s.verify.hmacSecret) {
      const where = `sources.${s.id}.verify.hmacSecret`;
      s.verify.hmacSecret = resolveSecretRef(s.verify.hmacSecret, where, env, problems);
      requireSecretBytes(s.verify.hmacSecret, where, problems);
    }
  }
  const checkVerify = config.suppressions.check.verify;
  if (checkVerify?.hmacSecret) {
    checkVerify.hmacSecret = resolveSecretRef(checkVerify.hmacSecret, 'suppressions.check.verify.hmacSecret', env, problems);
    requireSecretBytes(checkVerify.hmacSecret, 'suppressions.check.verify.hmacSecret', problems);
  }
  problems.push(...sharedCheckCredentials(config));
  if (config.metrics.token) {
    config.metrics.token = resolveSecretRef(config.metrics.token, 'metrics.token', env, problems);
    requireSecretBytes(config.metrics.token, 'metrics.token', problems);
  }
  if (config.metrics.listener === 'admin' && !config.admin) problems.push('metrics.listener: "admin" needs the admin section (admin.listen); or serve /metrics on the ingest listener with metrics.token');
  if (config.kafka?.sasl) config.kafka.sasl.password = resolveSecretRef(config.kafka.sasl.password, 'kafka.sasl.password', env, problems);
  if (!config.listen.tls && !config.listen.allowPlainHttp && !isLoopbackHost(config.listen.host)) {
    problems.push(`listen: ${config.listen.host} is not a loopback address: configure listen.tls {cert, key}, or set listen.allowPlainHttp: true behind a TLS-terminating proxy`);
  }
  if (problems.length > 0) {
    throw new SealpostError(CONFIG_ERRORS.invalid, `configuration is invalid${file ? ` (${file})` : ''}:\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
  return deepFreeze(config);
}

/** The topic a source's events go to. */
export function topicFor(source: { id: string; kind: string; topic?: string | undefined }): string {
  return source.topic ?? `sealpost.${source.kind}.${source.id}`;
}
