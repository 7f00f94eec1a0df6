import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, SASLOptions } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import type { Config } from '../config/config-schema.js';
import type { LogLike } from '../journal/types.js';
import { KAFKA_ERRORS } from './errors.js';
import { pinoLogCreator } from './log-creator.js';

const { Kafka, logLevel } = kafkajs;

/** The validated `kafka` section of the config. */
export type KafkaSettings = NonNullable<Config['kafka']>;

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SealpostError(KAFKA_ERRORS.config, `kafka.ssl.${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

function tlsOptions(ssl: KafkaSettings['ssl']): boolean | ConnectionOptions {
  if (typeof ssl === 'boolean') return ssl;
  const ca = readPem(ssl.ca, 'ca');
  const cert = readPem(ssl.cert, 'cert');
  const key = readPem(ssl.key, 'key');
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ca ? { ca: [ca] } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  };
}

/**
 * The kafkajs client for the configured cluster: TLS (on, or with CA / client certificate files),
 * SASL plain or SCRAM, and kafkajs' logs routed into ours instead of the console. Reading the TLS
 * files happens here, at start, so a wrong path is a start-up error that names the key.
 */
export function createKafka(settings: KafkaSettings, log: LogLike): KafkaClient {
  const sasl: SASLOptions | undefined = settings.sasl
    ? ({ mechanism: settings.sasl.mechanism, username: settings.sasl.username, password: settings.sasl.password } as SASLOptions)
    : undefined;
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: tlsOptions(settings.ssl),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    // Fail a connect or request within a few seconds: the forwarder's own backoff takes over from there.
    retry: { initialRetryTime: 250, maxRetryTime: 2000, retries: 3 },
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(log),
  });
}
