import { z } from 'zod';
import { policySchema } from '../../../shared/policy/index.js';
import { ACTIVITY_DEFAULTS, activitySchema } from '../activity/activity-config.js';
import { adminSchema } from '../admin/admin-config.js';
import { EVENT_INDEX_DEFAULTS, eventIndexSchema } from '../event-index/event-index-config.js';
import { DEFAULT_LISTENER_LIMITS, listenerLimitsSchema } from '../limits/listener-limits.js';
import { sendgridSuppressSchema, sesSuppressSchema, suppressionsSchemaWith, DEFAULT_SENDGRID_SUPPRESS, DEFAULT_SES_SUPPRESS } from '../suppressions/suppression-config.js';

/**
 * The service's whole configuration, validated once at start. Every object rejects unknown keys,
 * so a typo is an error that names the key, never a silently ignored setting.
 */

const secretSchema = z.string().min(1);

const tlsSchema = z.strictObject({
  /** PEM certificate chain file. */
  cert: z.string().min(1),
  /** PEM private key file. */
  key: z.string().min(1),
});

const listenSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  tls: tlsSchema.optional(),
  /** Plain HTTP on a non-loopback address must be asked for explicitly (e.g. behind a TLS-terminating proxy). */
  allowPlainHttp: z.boolean().default(false),
  /** Timeouts and connection cap (see limits/listener-limits.ts). */
  limits: listenerLimitsSchema.default(DEFAULT_LISTENER_LIMITS),
});

/** A bearer-token (OAuth 2.0 / JWT) check. One of jwksUrl or publicKey. */
export const bearerSchema = z
  .strictObject({
    issuer: z.string().min(1),
    audience: z.string().min(1),
    /** JWKS endpoint of the authorisation server (keys are fetched and cached). */
    jwksUrl: z.string().url().optional(),
    /** A PEM public key (SPKI) or a path to one, when no JWKS endpoint is used. */
    publicKey: z.string().min(1).optional(),
    algorithms: z.array(z.string()).default(['RS256', 'ES256']),
    clockToleranceSeconds: z.number().int().min(0).default(30),
  })
  .refine((b) => Boolean(b.jwksUrl) !== Boolean(b.publicKey), { message: 'give exactly one of jwksUrl or publicKey' });

const sendgridVerifySchema = z
  .strictObject({
    /** The Signed Event Webhook verification key as SendGrid shows it: base64 DER (SPKI) ECDSA P-256. */
    publicKey: z.string().min(1).optional(),
    /** Seconds a signature timestamp may be old (or ahead); 0 turns the freshness check off. */
    maxAgeSeconds: z.number().int().min(0).default(300),
    oauth: bearerSchema.optional(),
  })
  .refine((v) => v.publicKey || v.oauth, { message: 'set publicKey (Signed Event Webhook) or oauth (bearer token), or both' });

const snsVerifySchema = z.strictObject({
  /** TopicArns accepted; anything else is refused with 403. */
  topicArns: z.array(z.string().regex(/^arn:aws[a-z-]*:sns:/, 'a TopicArn starts with arn:aws:sns:')).min(1),
  /** Folder of PEM signing certificates (named by the certificate URL's file name) for servers that cannot reach AWS. */
  certDir: z.string().optional(),
  /** Fetch signing certificates from https://sns.<region>.amazonaws.com/ when not in certDir. */
  fetchCertificates: z.boolean().default(true),
  /** `confirm` visits the SubscribeURL; `log` only logs it for an operator to confirm by hand. */
  subscription: z.enum(['confirm', 'log']).default('confirm'),
  /** Seconds an SNS message Timestamp may be old; 0 turns the check off. */
  maxAgeSeconds: z.number().int().min(0).default(3600),
  /** SNS SignatureVersions accepted: [2] refuses SHA1 (set the topic's SignatureVersion attribute to 2 first). */
  signatureVersions: z.array(z.union([z.literal(1), z.literal(2)])).min(1).default([1, 2]),
});

const eventsVerifySchema = z
  .strictObject({
    /** Shared secret for `X-Sealpost-Signature: sha256=<hex HMAC(secret, timestamp + "." + body)>`. */
    hmacSecret: secretSchema.optional(),
    maxAgeSeconds: z.number().int().min(0).default(300),
    bearer: bearerSchema.optional(),
  })
  .refine((v) => v.hmacSecret || v.bearer, { message: 'set hmacSecret or bearer, or both' });

const sourceBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a source id is lower-case letters, digits and -'),
  /** Kafka topic; defaults to `sealpost.<kind>.<id>`. */
  topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).optional(),
};

export const sourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...sourceBase, kind: z.literal('sendgrid'), verify: sendgridVerifySchema, suppress: sendgridSuppressSchema.default(DEFAULT_SENDGRID_SUPPRESS) }),
  z.strictObject({ ...sourceBase, kind: z.literal('sns'), verify: snsVerifySchema, suppress: sesSuppressSchema.default(DEFAULT_SES_SUPPRESS) }),
  z.strictObject({ ...sourceBase, kind: z.literal('events'), verify: eventsVerifySchema }),
]);
export type SourceConfig = z.infer<typeof sourceSchema>;

const kafkaSchema = z.strictObject({
  brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'a broker is host:port')).min(1),
  clientId: z.string().default('sealpost-ingest'),
  ssl: z
    .union([
      z.boolean(),
      z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional(), rejectUnauthorized: z.boolean().default(true) }),
    ])
    .default(false),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: secretSchema,
    })
    .optional(),
  /** Create missing topics at start (partitions below); off when topics are managed elsewhere. */
  createTopics: z.boolean().default(true),
  partitions: z.number().int().min(1).default(6),
  replicationFactor: z.number().int().min(-1).default(-1),
});

const kmsSchema = z.strictObject({
  region: z.string().default('us-east-1'),
  /** Override for a KMS-compatible endpoint (tests, VPC endpoints). */
  endpoint: z.string().url().optional(),
  /** Data-key cache: a cached data key seals at most this many messages... */
  cacheMaxMessages: z.number().int().min(1).default(100_000),
  /** ...and lives at most this many seconds. */
  cacheMaxAgeSeconds: z.number().int().min(1).default(300),
});

export const configSchema = z.strictObject({
  listen: listenSchema.default({ host: '127.0.0.1', port: 8787, allowPlainHttp: false, limits: DEFAULT_LISTENER_LIMITS }),
  /** Journal, local keys and caches live here; must be on a durable disk. */
  dataDir: z.string().min(1).default('./.sealpost'),
  /** Largest request body accepted, in bytes (SendGrid batches reach 768 KB). */
  maxBodyBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
  /** Requests whose journal writes are committed (fsync) together; ack waits at most this long for company. */
  journal: z
    .strictObject({
      groupCommitMs: z.number().min(0).max(100).default(2),
      /** Provider retries of an event id seen within this many seconds are dropped as duplicates. */
      dedupeWindowSeconds: z.number().int().min(0).default(24 * 3600),
      /** Forwarded entries are deleted after this many seconds. */
      retainForwardedSeconds: z.number().int().min(0).default(300),
    })
    .default({ groupCommitMs: 2, dedupeWindowSeconds: 24 * 3600, retainForwardedSeconds: 300 }),
  forwarder: z
    .strictObject({
      batchEvents: z.number().int().min(1).default(2000),
      retryInitialMs: z.number().int().min(1).default(200),
      retryMaxMs: z.number().int().min(1).default(10_000),
      /** Largest Kafka record value; a bigger event becomes a dead letter (reason record_too_large). */
      maxRecordBytes: z.number().int().min(1024).default(1_000_000),
      /** Threads that parse and seal (the CPU-heavy part of forwarding); default: cores - 1, at least 1, at most 4. */
      sealWorkers: z.number().int().min(1).max(16).optional(),
    })
    .default({ batchEvents: 2000, retryInitialMs: 200, retryMaxMs: 10_000, maxRecordBytes: 1_000_000 }),
  kafka: kafkaSchema.optional(),
  kms: kmsSchema.optional(),
  sources: z.array(sourceSchema).min(1),
  /** The sealing policy, inline. */
  policy: policySchema,
  /** Blind-index key: `local` (a key file in dataDir) or a KMS-wrapped data key (kms key ARN). */
  /**
   * Crypto-shredding (docs/forget.md): sections of events with a subject are sealed under per-(subject,
   * department) keys kept in a compacted topic, so one person can be forgotten. Off: v1 sealing.
   */
  subjectKeys: z
    .strictObject({
      enabled: z.boolean().default(true),
      topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('sealpost.subject-keys'),
      /**
       * Subject keys each expand worker holds in memory (LRU); an evicted subject gets a new key next time.
       * About 1.5 KB each (key, materials, header): 20,000 is ~30 MB per worker. A miss costs a local wrap
       * (~110 us) and one more key record, so the cache need only hold the subjects of the last few hours.
       */
      cacheSize: z.number().int().min(1).default(20_000),
    })
    .default({ enabled: true, topic: 'sealpost.subject-keys', cacheSize: 20_000 }),
  /** The suppression list (docs/suppressions.md): derived from stop events, kept in a compacted topic, checked by senders. */
  suppressions: suppressionsSchemaWith(eventsVerifySchema).default({ enabled: true, topic: 'sealpost.suppressions', check: { perMinute: 600 } }),
  blindIndex: z.strictObject({ key: z.union([z.literal('local'), z.strictObject({ kms: z.string().min(1) })]) }).default({ key: 'local' }),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).default({ level: 'info' }),
  /** Where GET /metrics is served: `admin` keeps it off a public ingest listener; `token` requires a bearer token. */
  metrics: z
    .strictObject({
      listener: z.enum(['ingest', 'admin']).default('ingest'),
      /** `Authorization: Bearer <token>` required on /metrics; at least 32 bytes; `env:NAME` or `file:PATH` welcome. */
      token: secretSchema.optional(),
    })
    .default({ listener: 'ingest' }),
  /** Email activity (docs/activity.md): per-minute counts of forwarded events by type, category, bounce and deferral class. */
  activity: activitySchema.default(ACTIVITY_DEFAULTS),
  /** Admin API, AWS sign-in, audit trail and replay (see docs/admin-api.md); absent = no admin API. */
  admin: adminSchema.optional(),
  /** The query index of `events` sources behind the admin API's events query (docs/admin-api.md); needs kafka and admin. */
  eventIndex: eventIndexSchema.default(EVENT_INDEX_DEFAULTS),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
