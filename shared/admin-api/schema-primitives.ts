import { z } from 'zod';

/** The building blocks every admin API schema shares: times, counts, names, offsets, clear audit values. */

export const epochMs = z.number().int().min(0);
export const count = z.number().int().min(0);
/** A Kafka topic name as the broker accepts it. */
export const topicName = z.string().min(1).max(249).regex(/^[A-Za-z0-9._-]+$/, 'topic names use letters, digits, ".", "_" and "-"');
/** Offsets travel as decimal strings: int64 does not fit a JS number. */
export const offsetString = z.string().regex(/^\d{1,19}$/, 'an offset is a non-negative whole number (as a string)');
export const sourceId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a source id is lower-case letters, digits and -');
/** Query-string integers arrive as text. */
export const qInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * A reference to the object an action touched (`source/sendgrid`, `dead-letter/12`, `topic/t/3`,
 * `replay/<id>`). Identifiers only: `@` and spaces are refused so an address cannot slip in.
 */
export const auditTarget = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9._:/,=+#*-]+$/, 'a target is an object reference (letters, digits, . _ : / , = + # * -), never a personal value');

/** A value of the clear details of an audit event: numbers, flags, identifiers (same rule as targets). */
const clearScalar = z.union([z.number(), z.boolean(), z.null(), auditTarget]);
/** Clear, non-personal details of an audit event (they are indexed and searchable). */
export const clearDetails = z
  .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'detail keys are identifiers'), z.union([clearScalar, z.array(clearScalar).max(100)]))
  .refine((d) => Object.keys(d).length <= 32, 'at most 32 detail fields');
