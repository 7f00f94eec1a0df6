#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isSealpostError } from '../../shared/errors/index.js';
import { ENV_OVERRIDES, loadConfig } from './config/index.js';
import { startService } from './service.js';
import { asPortError, checkPorts } from './startup/check-ports.js';

const HELP = `sealpost-ingest — receives provider webhooks, journals them durably, seals personal fields per
department and produces them to Kafka.

Usage: npm start [-- --config FILE] [--check]                   (from the TypeScript sources, through tsx)
       npm run start:prod -- --config FILE [--check]              (the build: npm run build, then plain node)

Options:
  -c, --config FILE   YAML or JSON config file (also SEALPOST_CONFIG). Without one, the embedded default runs:
                      http://127.0.0.1:8787, local department keys in ./.sealpost, sources "sendgrid" and
                      "audit", journal only unless SEALPOST_KAFKA_BROKERS is set.
      --check         validate the configuration, print problems or "ok", and exit.

Signals: SIGTERM/SIGINT stop cleanly; SIGHUP reloads the file's policy and kms sections (key rotation, new
grants) without stopping; other changes are refused and need a restart.
  -h, --help          this text.

Environment overrides (applied over the file):
${Object.entries(ENV_OVERRIDES)
  .map(([k, v]) => `  ${k.padEnd(30)} ${v.path.padEnd(20)} ${v.describe}`)
  .join('\n')}

Routes: POST /v1/sendgrid/{source}, /v1/sns/{source}, /v1/events/{source}; GET /healthz, /readyz, /metrics
(on the admin listener with metrics.listener: admin; behind a bearer token with metrics.token).
Config reference: README.md, section "Configuration reference".`;

/** What a newcomer reads on stderr once the service listens (logs stay JSON on stdout). */
function nextSteps(url: string, embedded: boolean, kafka: boolean, dataDir: string): string {
  const lines = [`\nsealpost-ingest is listening on ${url}  (data: ${dataDir})`];
  if (embedded) {
    lines.push(
      'Embedded default: local department keys, sources "sendgrid" and "audit", development credentials in the data dir.',
      'Next:',
      `  npm run send:sample                       post the seed's 14 SendGrid events, signed with the dev key`,
      `  curl ${url}/metrics | grep sealpost_      see them counted`,
    );
  }
  if (!kafka) {
    lines.push(
      'No Kafka configured: events stay in the journal (encrypted) until a broker is set. To drain them:',
      '  npm run kafka:up   then restart with   SEALPOST_KAFKA_BROKERS=127.0.0.1:39092 npm start',
    );
  }
  lines.push('Stop with Ctrl-C (finishes in-flight requests). Options: npm start -- --help\n');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const config = loadConfig(values.config ? { file: values.config } : {});
  if (values.check) {
    console.log('ok: configuration is valid');
    return;
  }
  await checkPorts(config);
  const service = await startService(config).catch((err: unknown) => Promise.reject(asPortError(err, config)));
  const embedded = !values.config && !process.env.SEALPOST_CONFIG;
  console.error(nextSteps(service.url, embedded, Boolean(config.kafka), config.dataDir));
  if (service.admin) {
    const t = service.admin.localToken;
    console.error(`Admin API (console: backlog, dead letters, replay, audit): ${service.admin.url}`);
    // The token itself never goes to stderr: log collectors keep what a service prints.
    if (t) console.error(`  local admin token (loopback only${t.createdNow ? ', made now' : ''}): in ${t.file}; read it as the service user with: cat ${t.file}\n`);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    service.log.info({ signal }, 'stopping: no new requests, finishing in-flight work');
    service
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        service.log.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGHUP', () => {
    const file = values.config ?? process.env.SEALPOST_CONFIG;
    if (!file) {
      service.log.warn('SIGHUP: the embedded default has no file to reload');
      return;
    }
    Promise.resolve()
      .then(() => service.reload(loadConfig({ file })))
      .then((changed) => service.log.info({ changed }, changed.length ? 'SIGHUP: reloaded' : 'SIGHUP: nothing to reload'))
      .catch((err: unknown) => service.log.error({ err: { code: (err as { code?: string }).code, message: (err as Error).message } }, 'SIGHUP: reload refused; still running the previous configuration'));
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (isSealpostError(err)) {
    console.error(`sealpost-ingest: ${err.message}\n(${err.code})`);
  } else {
    console.error('sealpost-ingest: failed to start:', err);
  }
  process.exit(2);
});
