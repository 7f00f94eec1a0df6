import { z } from 'zod';

/**
 * The suppression list's configuration: what counts as "stop" per source (a `suppress` key on each
 * source, defaults below) and the top-level `suppressions` section (topic, check API credentials and
 * limits). Kept beside the suppression code so config-schema.ts only gains a few lines.
 */

/** SendGrid events that may suppress (group_resubscribe is the lift of group_unsubscribe, not a reason). */
export const SENDGRID_STOP_EVENTS = ['bounce', 'dropped', 'spamreport', 'unsubscribe', 'group_unsubscribe'] as const;
/** SES notification types that may suppress. */
export const SES_STOP_EVENTS = ['Bounce', 'Complaint'] as const;

export const sendgridSuppressSchema = z.strictObject({
  /** Events that put the recipient on the list; [] turns the list off for this source. */
  events: z.array(z.enum(SENDGRID_STOP_EVENTS)).default([...SENDGRID_STOP_EVENTS]),
  /** A `dropped` event counts only when its `reason` contains one of these (case-insensitive): SendGrid's "Bounced Address". */
  droppedReasons: z.array(z.string().min(1)).default(['bounce']),
  /** A `bounce` whose `type` is one of these does not count (SendGrid's `blocked` is a temporary refusal, not a hard bounce). */
  ignoreBounceTypes: z.array(z.string().min(1)).default(['blocked']),
});
export const DEFAULT_SENDGRID_SUPPRESS = sendgridSuppressSchema.parse({});

export const sesSuppressSchema = z.strictObject({
  events: z.array(z.enum(SES_STOP_EVENTS)).default([...SES_STOP_EVENTS]),
  /** `bounce.bounceType` values that count (SES: Permanent, Transient, Undetermined). */
  bounceTypes: z.array(z.string().min(1)).default(['Permanent']),
});
export const DEFAULT_SES_SUPPRESS = sesSuppressSchema.parse({});

export type SendgridSuppress = z.infer<typeof sendgridSuppressSchema>;
export type SesSuppress = z.infer<typeof sesSuppressSchema>;

export const MAX_CHECK_ADDRESSES = 10_000;

/**
 * Top-level `suppressions`, built around the `events` sources' verify schema (HMAC or bearer) that
 * config-schema.ts passes in, so the check API authenticates exactly like an `events` source.
 */
export function suppressionsSchemaWith<V extends z.ZodType>(verify: V) {
  return z.strictObject({
    /** Off: no derivation, no topic, no check API. */
    enabled: z.boolean().default(true),
    /** Compacted topic (cleanup.policy=compact) keyed by blind index, `<index>/group/<id>` for group suppressions. */
    topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('sealpost.suppressions'),
    check: z
      .strictObject({
        /** Credentials of sending systems for POST /v1/suppressions/check (as an `events` source); absent = admin sessions only. */
        verify: verify.optional(),
        /** Check requests allowed per client address and minute (a burst that refills steadily). */
        perMinute: z.number().int().min(1).max(1_000_000).default(600),
      })
      .default({ perMinute: 600 }),
  });
}
