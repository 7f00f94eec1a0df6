import kafkajs, { type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { z } from 'zod';
import { SealpostError } from '../../../shared/errors/index.js';
import type { kafkaConnectionSchema } from '../../../shared/console-api/schemas.js';
import { CONSOLE_ERRORS } from '../errors.js';

const { Kafka, logLevel } = kafkajs;

/** A connection as the contract parses it (defaults filled in). */
export type KafkaConnection = z.output<typeof kafkaConnectionSchema>;

/** Signs the AWS MSK IAM OAUTHBEARER token for a profile and region; injectable for tests. */
export type MskTokenSigner = (opts: { profile: string; region: string }) => Promise<{ token: string; expiryTime: number }>;

/** The real signer, loaded only when an MSK IAM connection is used (it pulls in the AWS SDK). */
export const signMskToken: MskTokenSigner = async ({ profile, region }) => {
  const { generateAuthTokenFromProfile } = await import('aws-msk-iam-sasl-signer-js');
  return generateAuthTokenFromProfile({ region, awsProfileName: profile });
};

/**
 * The kafkajs configuration for a connection. Pure apart from the token signer, so the mapping of
 * every auth kind is unit-tested. `password` comes from main's secret store (or the form), never
 * from saved settings in clear. Retries are few on purpose: an operator wants "unreachable" in
 * seconds, not after kafkajs's default minute of backoff.
 */
export function buildKafkaConfig(conn: KafkaConnection, password: string | undefined, signer: MskTokenSigner = signMskToken): KafkaConfig {
  let sasl: SASLOptions | undefined;
  const auth = conn.auth;
  if (auth.kind === 'plain' || auth.kind === 'scram-sha-256' || auth.kind === 'scram-sha-512') {
    const secret = auth.password ?? password;
    if (!secret) {
      throw new SealpostError(CONSOLE_ERRORS.noPassword, `Connection "${conn.name}" needs a password for user "${auth.username}". Type it in the connection form.`, {
        status: 400,
      });
    }
    sasl = { mechanism: auth.kind, username: auth.username, password: secret } as SASLOptions;
  } else if (auth.kind === 'msk-iam') {
    const { profile, region } = auth;
    sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const { token } = await signer({ profile, region });
        return { value: token };
      },
    };
  }
  const tlsOn = conn.tls.enabled || auth.kind === 'msk-iam';
  return {
    clientId: 'sealpost-console',
    brokers: [...conn.brokers],
    ssl: tlsOn ? { rejectUnauthorized: conn.tls.rejectUnauthorized, ...(conn.tls.ca ? { ca: [conn.tls.ca] } : {}) } : false,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: conn.connectTimeoutMs,
    authenticationTimeout: Math.max(conn.connectTimeoutMs, 10_000),
    requestTimeout: 30_000,
    retry: { retries: 2, initialRetryTime: 150, maxRetryTime: 2_000 },
    logLevel: logLevel.NOTHING,
  };
}

/** A kafkajs client for a connection. */
export function createKafka(conn: KafkaConnection, password: string | undefined, signer?: MskTokenSigner): InstanceType<typeof Kafka> {
  return new Kafka(buildKafkaConfig(conn, password, signer));
}
