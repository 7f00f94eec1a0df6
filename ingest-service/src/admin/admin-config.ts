import { z } from 'zod';
import { ADMIN_ROLES } from '../../../shared/admin-api/roles.js';
import { DEFAULT_LISTENER_LIMITS, listenerLimitsSchema } from '../limits/listener-limits.js';
import { isLoopbackHost } from '../../../shared/net/index.js';

/**
 * The `admin` section of the service config: the admin API's own listener, AWS sign-in, the audit
 * source and replay limits. Absent = no admin API (and no audit source). Kept beside the admin code
 * so config-schema.ts only gains one line.
 */

/**
 * `arn:aws:sts::ACCOUNT:assumed-role/ROLE/*`: `*` matches within one ARN segment (never across `/` or `:`),
 * and never in the account: anyone can open an AWS account and name a role `Audit` in it, so a wildcard
 * account would let the whole world sign in. Each trusted account gets its own entry.
 */
const ARN_PATTERN = /^arn:aws[a-z-]*:(sts|iam)::\d{12}:[A-Za-z0-9+=,.@_/*-]+$/;
const WILDCARD_ACCOUNT = /^arn:[^:]*:[^:]*:[^:]*:[^:]*\*/;
const arnPattern = z.string().superRefine((pattern, ctx) => {
  if (WILDCARD_ACCOUNT.test(pattern)) {
    ctx.addIssue({
      code: 'custom',
      message: 'the account of an ARN pattern cannot be a wildcard (anyone can create an AWS account with any role name): list each trusted 12-digit account id in its own entry',
    });
  } else if (!ARN_PATTERN.test(pattern)) {
    ctx.addIssue({ code: 'custom', message: 'an ARN pattern looks like arn:aws:sts::123456789012:assumed-role/ROLE/* or arn:aws:iam::123456789012:user/NAME' });
  }
});

/** `https://sts.amazonaws.com`, `https://sts.{region}.amazonaws.com` (any AWS region), or an exact endpoint URL. */
const stsEndpoint = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+\/?$/, 'an STS endpoint is a scheme and host (and port), without a path: https://sts.eu-west-1.amazonaws.com');

export const DEFAULT_STS_ENDPOINTS = ['https://sts.amazonaws.com', 'https://sts.{region}.amazonaws.com'];

export const adminAwsSchema = z.strictObject({
  /** Where the service sends the rebuilt GetCallerIdentity request; the client's signed Host must be one of these. */
  stsEndpoints: z.array(stsEndpoint).min(1).default(DEFAULT_STS_ENDPOINTS),
  /** Accepted clock difference for X-Amz-Date, both ways. */
  maxSkewSeconds: z.number().int().min(30).max(900).default(300),
  /** How long to wait for STS. */
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** Sign-in attempts allowed per client address (IPv6: per /64) and minute, as a burst that refills steadily. */
  loginsPerMinute: z.number().int().min(1).max(10_000).default(30),
  /** Caller ARN pattern -> admin roles; every matching entry adds its roles. */
  roles: z.array(z.strictObject({ arn: arnPattern, roles: z.array(z.enum(ADMIN_ROLES)).min(1) })).min(1),
});

export const adminSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8788),
        /** PEM files, or `ingest` to reuse the ingest listener's certificate. Required off loopback. */
        tls: z.union([z.literal('ingest'), z.strictObject({ cert: z.string().min(1), key: z.string().min(1) })]).optional(),
        /** Timeouts and connection cap (see limits/listener-limits.ts). */
        limits: listenerLimitsSchema.default(DEFAULT_LISTENER_LIMITS),
      })
      .default({ host: '127.0.0.1', port: 8788, limits: DEFAULT_LISTENER_LIMITS }),
    /** This server's name; the console signs it into X-Sealpost-Server-ID so a login for one server is useless at another. */
    serverId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a server id is letters, digits, . _ : -').optional(),
    /** Session lifetime after sign-in. */
    sessionMinutes: z.number().int().min(1).max(720).default(15),
    aws: adminAwsSchema.optional(),
    /** A local admin token in dataDir/keys (loopback callers only). Default: on when `aws` is absent. */
    localToken: z.boolean().optional(),
    audit: z
      .strictObject({
        /** Internal `events` source the audit trail is journaled as (must not be a configured source id). */
        source: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).default('sealpost-audit'),
        topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('sealpost.audit'),
      })
      .default({ source: 'sealpost-audit', topic: 'sealpost.audit' }),
    replay: z
      .strictObject({
        maxRunning: z.number().int().min(1).max(16).default(2),
        /** Finished jobs kept for replayStatus (in memory). */
        keepFinished: z.number().int().min(1).max(1000).default(50),
      })
      .default({ maxRunning: 2, keepFinished: 50 }),
    /** Seconds the status rates are averaged over. */
    rateWindowSeconds: z.number().int().min(10).max(3600).default(60),
  })
  .refine((a) => !a.aws || a.serverId, { message: 'admin.aws needs admin.serverId (the value the console signs into X-Sealpost-Server-ID)', path: ['serverId'] })
  .refine((a) => a.listen.tls || isLoopbackHost(a.listen.host), {
    message: 'the admin API off loopback needs TLS: set admin.listen.tls (a cert and key, or "ingest"), or listen on 127.0.0.1',
    path: ['listen', 'tls'],
  });

export type AdminConfig = z.infer<typeof adminSchema>;
