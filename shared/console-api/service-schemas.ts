import { z } from 'zod';
import { adminSchemas } from '../admin-api/index.js';
import { isLoopbackHost } from '../net/index.js';
import { profileId } from './schemas.js';

/**
 * Argument schemas of the console channels that reach the ingest service's admin API. Where the
 * admin API already has a schema (replay, audit query, dead-letter query) it is reused as is, so
 * the renderer cannot send main anything the service would refuse. Tokens travel renderer -> main
 * once (pasted) and never back.
 */

/** True for URLs a bearer token may travel to: https anywhere, plain http only to this machine. */
export function isSafeServiceUrl(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username || u.password || u.search || u.hash) return false;
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && isLoopbackHost(u.hostname);
}

/** An admin URL, without its trailing slashes: the same service always has the same name. */
const serviceUrl = z
  .string()
  .max(2048)
  .refine(isSafeServiceUrl, 'the admin URL is https://host:port (plain http only to 127.0.0.1 or localhost), with no user, query or fragment')
  .transform((u) => u.replace(/\/+$/, ''));
/**
 * Which service of the fleet a call targets: its admin URL as signed in. Every service channel names
 * it, so no call can land on another service than the one the operator looked at.
 */
const target = { service: serviceUrl };
/** The value of admin.serverId on the server (signed into every AWS sign-in). */
export const serverIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a server id is letters, digits, . _ : -');
const awsProfileName = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.@+=,-]+$/, 'not an AWS profile name');
const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region looks like eu-west-1');
/** A local admin token or a session token: printable, no spaces. */
const tokenText = z.string().trim().min(16, 'paste the whole token').max(4096).regex(/^[A-Za-z0-9._~+/=-]+$/, 'a token has no spaces or quotes');

export const serviceAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('aws'),
    /** AWS profile (from the AWS config files) whose credentials sign sts:GetCallerIdentity. */
    profile: awsProfileName,
    /** Sign for the regional STS endpoint of this region; omitted: the global endpoint. */
    region: awsRegion.optional(),
    /** STS endpoint to sign for (it must be allowlisted by the server); the console never calls it. */
    stsEndpoint: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  }),
  z.strictObject({
    kind: z.literal('token'),
    /** The local admin token (dataDir/keys/admin-local.token); omitted: the one saved earlier. */
    token: tokenText.optional(),
  }),
]);

export const serviceConnectArgs = z
  .strictObject({
    url: serviceUrl,
    serverId: serverIdSchema.optional(),
    /** Extra CA certificate (PEM) for an admin listener with a private CA. */
    ca: z.string().max(65_536).optional(),
    auth: serviceAuthSchema,
    /** Keep this connection for next time (a token only sealed by the OS keychain). */
    remember: z.boolean().default(true),
  })
  .refine((a) => a.auth.kind !== 'aws' || a.serverId !== undefined, { message: 'AWS sign-in needs the server id (admin.serverId on the server)', path: ['serverId'] });

/** Signs out of one service; `forget` also drops it from the remembered fleet. */
export const serviceDisconnectArgs = z.strictObject({ ...target, forget: z.boolean().default(false) });
/** A call that needs nothing but the service it targets. */
export const serviceTargetArgs = z.strictObject(target);

export const backlogListArgs = adminSchemas.backlogQuery.extend(target);
export const deadLetterListArgs = adminSchemas.deadLetterQuery.extend(target);
export const drainArgs = z.strictObject({ ...target, timeoutMs: z.number().int().min(1_000).max(300_000).default(120_000) });
export const sourceArgs = z.strictObject({ ...target, source: adminSchemas.sourceParams.shape.source, reason: z.string().trim().max(500).optional() });
export const deadLetterIdArgs = z.strictObject({ ...target, id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const discardArgs = z.strictObject({
  ...target,
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  reason: adminSchemas.discardRequest.shape.reason,
});
/** The admin API's replay request (its own refinement kept: safeExtend) plus the target. */
export const replayStartArgs = adminSchemas.replayRequest.safeExtend(target);
export const replayIdArgs = z.strictObject({ ...target, id: z.string().uuid() });
export const auditQueryArgs = adminSchemas.auditQuery.extend(target);
export const forgetArgs = adminSchemas.forgetRequest.extend(target);
/** The admin API's events query (its own refinement kept: safeExtend) plus the target. */
export const eventQueryArgs = adminSchemas.eventQuery.safeExtend(target);
/** An event a query answered, as `<source>/<id>` (source ids have no `/`). */
export const eventKey = z.string().min(3).max(400).regex(/^[a-z0-9][a-z0-9-]{0,62}\/.+$/s, 'an event key is "<source>/<id>"');
/** Opens the sections of events the last queries of that service answered, with the operator's identity. */
export const eventOpenArgs = z.strictObject({ ...target, keys: z.array(eventKey).min(1).max(500), profile: profileId });
