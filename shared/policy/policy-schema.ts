import { z } from 'zod';

/**
 * A department key. `local` names a raw AES-256 key file the service keeps in `dataDir/keys/`
 * (the embedded default); `kms` is an AWS KMS key ARN or alias ARN (production).
 */
export const keySpecSchema = z.union([
  z.strictObject({ local: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'local key names use letters, digits, _ and -') }),
  z.strictObject({ kms: z.string().regex(/^(arn:aws[a-z-]*:kms:|alias\/)/, 'kms must be a KMS key ARN, alias ARN or alias/NAME') }),
]);
export type KeySpec = z.infer<typeof keySpecSchema>;

/** A dotted field path into an event (`email`, `mail.destination`, `bounce.bouncedRecipients`). */
const fieldPath = z.string().min(1).regex(/^[^.\s][^\s]*$/, 'a field path is dotted, without spaces');

export const departmentSchema = z.strictObject({
  /** First key seals new records; every key listed stays usable to read older records (rotation). */
  keys: z.array(keySpecSchema).min(1),
  description: z.string().optional(),
});

export const sourceRuleSchema = z.strictObject({
  /** Fields anyone with topic access may read. Everything else in the event is personal. */
  clear: z.array(fieldPath),
  /** Paths tried in order for the recipient address the blind index is computed from. */
  recipient: z.array(fieldPath).default([]),
  /** Department -> personal fields it may read; `*` means every personal field. */
  grants: z.record(z.string(), z.array(fieldPath)),
  /**
   * A new event about a subject forgotten earlier (docs/forget.md): `new-key` seals it under a new subject
   * key (new data, new consent), `drop` drops it (counted), `dead-letter` keeps it as a dead letter
   * `subject_forgotten`. Events received up to the forget are always sealed under a key that is shredded.
   */
  forgotten: z.enum(['new-key', 'drop', 'dead-letter']).default('new-key'),
});
export type SourceRule = z.infer<typeof sourceRuleSchema>;

export const policySchema = z
  .strictObject({
    /** Bumped on every change; each record carries the version it was sealed under. */
    version: z.number().int().positive(),
    departments: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'department names are lower-case words'), departmentSchema),
    /** Keyed by source id, or by source kind (`sendgrid`, `sns`, `events`) as the fallback for that kind. */
    rules: z.record(z.string(), sourceRuleSchema),
  })
  .superRefine((policy, ctx) => {
    for (const [ruleName, rule] of Object.entries(policy.rules)) {
      for (const dept of Object.keys(rule.grants)) {
        if (!(dept in policy.departments)) {
          ctx.addIssue({ code: 'custom', path: ['rules', ruleName, 'grants', dept], message: `department "${dept}" is not declared under departments` });
        }
      }
      if (!Object.values(rule.grants).some((paths) => paths.includes('*'))) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', ruleName, 'grants'],
          message: 'grant "*" to at least one department, so that personal fields nobody else may read (custom args, new fields) are sealed rather than lost',
        });
      }
    }
  });
export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
