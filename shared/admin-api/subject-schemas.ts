import { z } from 'zod';
import { isAddress } from '../policy/split-event.js';
import { count } from './schema-primitives.js';

/** Forgetting a person (crypto-shredding their subject keys): docs/forget.md. */

export const forgetRequest = z.strictObject({
  /** The person's address, any spelling ("Bob <Bob@Example.com>"); the service turns it into its blind index and keeps nothing else. */
  address: z
    .string({ error: 'address is required: the e-mail address of the person to forget' })
    .max(1000)
    .refine(isAddress, 'address is not an e-mail address (local@domain, or "Name <local@domain>"); nothing was forgotten'),
  /** Why (a request reference, not the address): kept sealed in the audit trail, never indexed. */
  reason: z.string({ error: 'reason is required: say why this person is forgotten (kept, sealed, in the audit trail)' }).trim().min(1, 'reason is required: say why this person is forgotten').max(1000),
});

export const forgetResponse = z.strictObject({
  /** The blind index of the address: the subject as the stream knows it. */
  subject: z.string(),
  /** Subject keys tombstoned by this call (0 when the address has none, or was already forgotten). */
  keysTombstoned: count,
  /** Departments whose keys of this subject were tombstoned. */
  departments: z.array(z.string()),
  /** ISO time of the forget: sections of events received up to then can no longer be opened. */
  forgottenAt: z.string(),
});
