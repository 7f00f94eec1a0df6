import type { AuditRecordRequest } from '../../../shared/admin-api/types.js';
import type { AdminClient } from '../../../shared/aws-sign-in/index.js';
import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import { parseEnvelope, type Envelope } from '../../../shared/envelope/index.js';
import { isSealpostError, SealpostError } from '../../../shared/errors/index.js';
import { CONSOLE_ERRORS } from '../errors.js';
import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

export type EventChannel = 'events:query' | 'events:open';

export interface EventChannelDeps {
  /** One admin call on the named service (the service connector's call). */
  call<T>(service: string, fn: (client: AdminClient) => Promise<T>): Promise<T>;
  /** The opener of an identity (the same one the Messages page decrypts with). */
  opener(profile: string): Promise<EnvelopeOpener>;
  /** Best-effort audit report (a decryption), like the Messages page's. */
  report(event: AuditRecordRequest): void;
  /** Envelopes kept from recent answers (default 5,000). */
  maxKept?: number;
}

const keyOf = (service: string, key: string): string => `${service}\u0000${key}`;
const sourceOf = (key: string): string => key.slice(0, key.indexOf('/'));

/**
 * The Audit page's events query and the opening of what it found. Queries go to the service as they are;
 * the envelopes of the answer are kept here (bounded, newest kept) so that "open sections" sends main only
 * `<source>/<id>` keys: the renderer never hands main ciphertexts to decrypt, and what is opened is exactly
 * what that service answered. Opening is the Messages page's (the identity's opener: local keys or the AWS
 * profile), and is reported to the audit trail as a decryption of `events/<source>` (counts, departments;
 * never a value).
 */
export function eventChannels(deps: EventChannelDeps): Pick<ConsoleHandlers, EventChannel> {
  const kept = new Map<string, Envelope>();
  const evictOldestKept = oldestEvictor(kept);
  const max = deps.maxKept ?? 5_000;
  const keep = (service: string, key: string, env: Envelope): void => {
    const k = keyOf(service, key);
    kept.delete(k);
    kept.set(k, env);
    while (kept.size > max) evictOldestKept();
  };
  return {
    async 'events:query'({ service, ...query }) {
      const answer = await deps.call(service, (c) => c.queryEvents(query));
      for (const e of answer.events) {
        const { envelope } = parseEnvelope(Buffer.from(JSON.stringify(e.envelope)));
        if (envelope) keep(service, `${e.source}/${e.id}`, envelope);
      }
      return answer;
    },
    async 'events:open'({ service, keys, profile }) {
      const envelopes: Envelope[] = [];
      for (const key of keys) {
        const env = kept.get(keyOf(service, key));
        if (!env) throw new SealpostError(CONSOLE_ERRORS.eventNotFound, `Event ${key} is not among the recent query results of ${service}; search again, then open.`, { status: 404 });
        envelopes.push(env);
      }
      const sources = [...new Set(keys.map(sourceOf))].sort();
      const target = sources.length === 1 ? `events/${sources[0]}` : 'events/*';
      try {
        const opener = await deps.opener(profile);
        const [identity, opened] = await Promise.all([opener.identity(), opener.open(envelopes)]);
        const rows = opened.map((o, i) => ({ id: keys[i]!, sections: o.sections }));
        const openedDepts = new Set<string>();
        let locked = 0;
        for (const r of rows) for (const [d, sec] of Object.entries(r.sections)) sec.state === 'open' ? openedDepts.add(d) : locked++;
        deps.report({
          action: 'decrypt',
          target,
          outcome: openedDepts.size === 0 && locked > 0 ? 'denied' : 'success',
          details: { purpose: 'events-query', records: rows.length, opened: [...openedDepts].sort().slice(0, 100), locked },
        });
        return { profile, identity, rows };
      } catch (err) {
        deps.report({ action: 'decrypt', target, outcome: 'failure', details: { purpose: 'events-query', records: keys.length, code: isSealpostError(err) ? err.code : 'SP_CONSOLE_INTERNAL' } });
        throw err;
      }
    },
  };
}
