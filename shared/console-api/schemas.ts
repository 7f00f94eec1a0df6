import { z } from 'zod';

/**
 * Argument schemas for every console channel. Main, the preload and the HTTP bridge all parse with
 * these, so anything a compromised renderer sends is rejected before it reaches Kafka, KMS or disk.
 */

const name = z.string().min(1).max(249);
/** A Kafka topic name as the broker accepts it (legal characters, at most 249). */
export const topicName = name.regex(/^[A-Za-z0-9._-]+$/, 'topic names use letters, digits, ".", "_" and "-"');
/** Offsets travel as decimal strings: int64 does not fit a JS number. */
export const offsetString = z.string().regex(/^\d{1,19}$/, 'an offset is a non-negative whole number');
const partition = z.number().int().min(0).max(100_000);
const epochMs = z.number().int().min(0).max(8_640_000_000_000);
/** "partition:offset", the id of one row in a topic. */
export const rowId = z.string().regex(/^\d{1,6}:\d{1,19}$/, 'a row id is "partition:offset"');
const hostPort = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/, 'a broker is host:port');
/** An identity the console opens sections as (`local`, `aws:NAME`). */
export const profileId = z.string().min(1).max(200).regex(/^[A-Za-z0-9:_./@+=,-]+$/, 'not a profile id');
const label = z.string().min(1).max(100);

/** How the console authenticates to the brokers; passwords are write-only (kept by main, never read back). */
export const kafkaAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1).max(256),
    /** Omitted: use the password saved for this connection. */
    password: z.string().min(1).max(4096).optional(),
  }),
  z.strictObject({
    kind: z.literal('msk-iam'),
    /** AWS profile whose credentials sign the OAUTHBEARER token. */
    profile: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.@+=,-]+$/, 'not an AWS profile name'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region looks like eu-west-1'),
  }),
]);

export const kafkaConnectionSchema = z.strictObject({
  name: label,
  brokers: z.array(hostPort).min(1).max(50),
  tls: z
    .strictObject({
      enabled: z.boolean(),
      /** Off only for a lab cluster with a self-signed certificate; the UI warns. */
      rejectUnauthorized: z.boolean().default(true),
      /** Extra CA certificate (PEM) for private clusters. */
      ca: z.string().max(65_536).optional(),
    })
    .default({ enabled: false, rejectUnauthorized: true }),
  auth: kafkaAuthSchema.default({ kind: 'none' }),
  /** Milliseconds to wait for a broker before saying it is unreachable. */
  connectTimeoutMs: z.number().int().min(500).max(60_000).default(5_000),
});

export const connectArgs = z.strictObject({
  connection: kafkaConnectionSchema,
  /** Save this connection (its password through the OS keychain) for next time. */
  remember: z.boolean().default(false),
});

export const noArgs = z.undefined();

export const topicsListArgs = z.strictObject({ includeInternal: z.boolean().default(false) }).optional();
export const topicArgs = z.strictObject({ topic: topicName });

/** Clear-part filters; all given filters must match. Applied before any decryption. */
export const filtersSchema = z
  .strictObject({
    types: z.array(z.string().min(1).max(100)).max(50).optional(),
    sources: z.array(z.string().min(1).max(100)).max(50).optional(),
    categories: z.array(z.string().min(1).max(200)).max(50).optional(),
    partitions: z.array(partition).max(1000).optional(),
    /** Event time range (envelope `time`), inclusive, epoch ms. */
    timeFrom: epochMs.optional(),
    timeTo: epochMs.optional(),
    /** Recipient address; main turns it into the blind index and never sends it back. */
    recipient: z.string().min(3).max(320).optional(),
  })
  .refine((f) => f.timeFrom === undefined || f.timeTo === undefined || f.timeFrom <= f.timeTo, {
    message: 'timeFrom must not be after timeTo',
  });

/** Where a window continues: per partition, the next offset to read (forward) or the offset to stop before (backward). */
export const cursorSchema = z.strictObject({
  direction: z.enum(['forward', 'backward']),
  positions: z.record(z.string().regex(/^\d{1,6}$/), offsetString),
});

export const windowArgs = z
  .strictObject({
    topic: topicName,
    mode: z.enum(['newest', 'oldest', 'offset', 'timestamp', 'tail']),
    partition: partition.optional(),
    offset: offsetString.optional(),
    timestamp: epochMs.optional(),
    limit: z.number().int().min(1).max(5_000).default(500),
    filters: filtersSchema.optional(),
    /** Continue a previous window (load more, live tail); `mode` and positions are then ignored. */
    cursor: cursorSchema.optional(),
    /** At most this many records are read to fill a filtered window; the rest is a scan's job. */
    scanBudget: z.number().int().min(1).max(1_000_000).default(50_000),
    /**
     * Who the operator views as ("Decrypt as"): a recipient search gets the blind-index key with this
     * profile (a KMS-wrapped key is unwrapped with its credentials). Omitted: the saved profile, else "local".
     */
    profile: profileId.optional(),
  })
  .refine((a) => a.cursor || a.mode !== 'offset' || a.offset !== undefined, { message: 'mode "offset" needs an offset' })
  .refine((a) => a.cursor || a.mode !== 'timestamp' || a.timestamp !== undefined, {
    message: 'mode "timestamp" needs a timestamp',
  });

/**
 * A filter on OPENED fields: a keyword anywhere in the opened fields, or one field equal to a value (both
 * case-insensitive). It runs after the clear filters, inside the sections the scan's profile can open;
 * locked sections never match and are counted. The keyword and value stay in main's memory: never logged,
 * audited or sent back.
 */
export const openedFilterSchema = z
  .strictObject({
    keyword: z.string().trim().min(2).max(200).optional(),
    /** A field of a section (`email`, `ip`, `url`), or a dotted path into one (`geo.country`). */
    field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}(\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,3}$/, 'a field name is letters, digits, _ and - (dots for nested fields)').optional(),
    value: z.string().trim().min(1).max(1000).optional(),
  })
  .refine((f) => (f.keyword !== undefined) !== (f.field !== undefined || f.value !== undefined), { message: 'give either a keyword, or a field and a value' })
  .refine((f) => (f.field === undefined) === (f.value === undefined), { message: 'a field needs a value, and a value needs a field' });

export const scanStartArgs = z.strictObject({
  topic: topicName,
  filters: filtersSchema,
  /** newest-first (backward from the end) or oldest-first. */
  direction: z.enum(['newest-first', 'oldest-first']).default('newest-first'),
  /** Stop after reading this many records or this many milliseconds, whichever first; resume continues. */
  budget: z
    .strictObject({
      maxRecords: z.number().int().min(1).max(100_000_000).default(2_000_000),
      maxMs: z.number().int().min(100).max(3_600_000).default(60_000),
    })
    .default({ maxRecords: 2_000_000, maxMs: 60_000 }),
  /** Matches kept at most (memory stays bounded whatever the topic size). */
  maxMatches: z.number().int().min(1).max(100_000).default(10_000),
  /** Continue this earlier scan (budget spent or cancelled) where it stopped, keeping its matches. */
  resume: z.string().uuid().optional(),
  /** As in windowArgs: the profile a recipient search runs as (a resumed scan runs as the profile given now). */
  profile: profileId.optional(),
  /** Also match on opened fields, opened with `profile` (a resumed scan keeps the filter it started with). */
  opened: openedFilterSchema.optional(),
});
export const scanIdArgs = z.strictObject({ scanId: z.string().uuid() });
export const scanProgressArgs = z.strictObject({
  scanId: z.string().uuid(),
  /** Return matches from this index on (the renderer asks only for what it has not got yet). */
  fromMatch: z.number().int().min(0).default(0),
  maxRows: z.number().int().min(0).max(10_000).default(2_000),
});

export const decryptArgs = z.strictObject({
  topic: topicName,
  ids: z.array(rowId).min(1).max(1_000),
  profile: profileId,
});
export const detailArgs = z.strictObject({ topic: topicName, id: rowId });
/** The matrix is proved by decrypting real sections: `topic` supplies the probe envelopes (its newest records). */
export const accessMatrixArgs = z.strictObject({ profile: profileId, topic: topicName });

export const exportArgs = z.strictObject({
  topic: topicName,
  format: z.enum(['csv', 'json']),
  ids: z.array(rowId).min(1).max(100_000),
  /** Include the sections this profile opens; omitted: clear part only. */
  profile: profileId.optional(),
});

/** What the user may change; secrets are accepted here and stored encrypted by main, never returned. */
export const settingsPatchSchema = z.strictObject({
  ingestUrl: z.url({ protocol: /^https?$/ }).max(2048).nullable().optional(),
  profile: profileId.nullable().optional(),
  /**
   * The blind-index key file for recipient search: the service's raw 32-byte `blind-index.hmac.key`, or its
   * KMS-wrapped `blind-index.kms-wrapped.json` (unwrapped with the chosen AWS profile). Null: the local key folder's.
   */
  blindIndexKeyFile: z.string().min(1).max(4096).nullable().optional(),
  /** Directory of local department keys (the ingest service's dataDir/keys). */
  localKeysDir: z.string().min(1).max(4096).nullable().optional(),
  /** The sealing policy file (YAML or JSON) the service uses; omitted: the embedded default policy. */
  policyFile: z.string().min(1).max(4096).nullable().optional(),
  /**
   * The compacted topic of subject keys (crypto-shredding, docs/forget.md), as an override; null = the signed-in
   * service's `subjectKeys.topic` (told at sign-in), else the default `sealpost.subject-keys`.
   */
  subjectKeysTopic: topicName.nullable().optional(),
  /** Forget a saved connection by name (and its stored password). */
  forgetConnection: label.optional(),
  theme: z.enum(['dark', 'light']).optional(),
});
