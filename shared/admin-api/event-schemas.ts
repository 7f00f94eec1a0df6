import { z } from 'zod';
import { count, epochMs, offsetString, sourceId } from './schema-primitives.js';

/**
 * The audit query over `events` sources (seed 002): every event an audit producer posted, found by
 * type, time range, clear field values, subject and keyword, answered with its envelope so the console
 * can open the sealed sections with the operator's own identity. A POST, so that a subject value (a
 * person's identifier) travels in the body and never in a URL that proxies and access logs keep.
 */

/** ISO time or epoch ms. */
const instant = z.union([z.iso.datetime({ offset: true }), z.number().int().min(0).max(8_640_000_000_000)]);
const toMs = (v: string | number | undefined): number | undefined => (v === undefined ? undefined : typeof v === 'number' ? v : Date.parse(v));
/** A dotted path into the clear part, as the policy names clear fields (`outcome`, `details.plan`). */
const CLEAR_PATH = /^[^.\s][^\s]{0,255}$/;
const clearValue = z.union([z.string().max(512), z.number(), z.boolean()]).transform(String);

export const eventQuery = z
  .strictObject({
    /** One indexed source; absent: every indexed source. */
    source: sourceId.optional(),
    /** Exact event type (`account.created`). */
    type: z.string().min(1).max(256).optional(),
    /** Event time, inclusive. */
    from: instant.optional(),
    /** Event time, exclusive. */
    to: instant.optional(),
    /** Clear field path -> exact value (`{"outcome": "denied"}`); every pair must hold. */
    fields: z
      .record(z.string(), clearValue)
      .refine((f) => Object.keys(f).length <= 8, 'at most 8 field filters')
      .refine((f) => Object.keys(f).every((k) => CLEAR_PATH.test(k)), 'a field path is dotted, without spaces, at most 256 characters (outcome, details.plan)')
      .optional(),
    /**
     * A subject's value (an address, a customer id): the service computes its blind index and matches the
     * envelopes' `recipient`. Never stored, logged or sent back.
     */
    subject: z.string().trim().min(1).max(1024).optional(),
    /** Case-insensitive substring of the clear part (type and clear values); 3 characters or more. */
    keyword: z.string().min(3, 'a keyword needs at least 3 characters (the index matches substrings by trigrams)').max(200).optional(),
    limit: z.number().int().min(1).max(500).default(100),
    /** Cursor from the previous page's `next`. */
    cursor: z.string().max(200).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || toMs(q.from)! < toMs(q.to)!, { message: '`from` must be before `to`', path: ['to'] });

/** One event found: where it is in Kafka, its clear facts, and the envelope (clear part and sealed sections) as it is there. */
export const eventHit = z.strictObject({
  source: z.string(),
  id: z.string(),
  type: z.string(),
  time: z.string(),
  receivedAt: z.string(),
  /** Blind index of the subject (the envelope's `recipient`), null when the event has none. */
  subject: z.string().nullable(),
  topic: z.string(),
  partition: z.number().int().min(0),
  offset: offsetString,
  envelope: z.record(z.string(), z.unknown()),
});

export const eventIndexView = z.strictObject({
  /** Sources this service indexes, with their topics. */
  sources: z.array(z.strictObject({ id: z.string(), topic: z.string() })),
  /** True while the tail reads the topics; false with lastError while Kafka is away (it retries). */
  running: z.boolean(),
  /** True while the index stands aside because the forwarder has a backlog (it catches up afterwards). */
  yielding: z.boolean(),
  /** Rows added and records skipped since the service started. */
  indexed: count,
  skipped: count,
  lastIndexedAt: epochMs.nullable(),
  lastError: z.strictObject({ message: z.string(), at: epochMs }).nullable(),
  /** Retention of the index, in days (eventIndex.retentionDays). */
  retentionDays: z.number().int(),
});

export const eventQueryResponse = z.strictObject({
  /** Newest first (event time). */
  events: z.array(eventHit),
  next: z.string().nullable(),
  index: eventIndexView,
});
