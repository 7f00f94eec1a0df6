import { compileRule, ruleFor, type Policy } from '../../../shared/policy/index.js';
import type { SealInput, SectionSealer } from '../../../shared/seal/types.js';
import type { SourceKind } from '../../../shared/envelope/index.js';
import type { SinkRecord } from '../kafka/sink.js';
import type { ParsedEvent } from '../parse/index.js';
import { stopSignals, type SuppressRule } from './stop-signals.js';
import { orderStamp, suppressionKey, SUPPRESSION_SCHEMA, type SuppressionValue } from './suppression-state.js';

/** Header on suppression records (their value schema), beside the source header of envelopes. */
export const SUPPRESSION_HEADERS = { schema: 'sealpost-schema', source: 'sealpost-source' } as const;

export interface SuppressionDeriverDeps {
  policy: Policy;
  sealer: SectionSealer;
  blindIndex(address: string): string;
  /** Source id -> its rule; sources absent here derive nothing. */
  rules: ReadonlyMap<string, SuppressRule>;
  topic: string;
}

/** Departments the policy grants the recipient field of a source (or every personal field). */
function recipientReaders(policy: Policy, source: string, kind: SourceKind): string[] {
  const raw = ruleFor(policy, source, kind);
  if (!raw) return [];
  const rule = compileRule(raw);
  const out: string[] = [];
  for (const [dept, paths] of rule.grants) {
    if (paths === 'all' || rule.recipient.some((r) => paths.some((g) => r === g || r.startsWith(`${g}.`)))) out.push(dept);
  }
  return out;
}

/**
 * Derives suppression records from the events of one entry, in the expand worker where the events
 * are already parsed and the sealer is at hand (no second parse). Each record carries only what its
 * event means (one reason, stopped or lifted); the main thread merges it with the local view before
 * it is produced (suppression-writer.ts), so that the compacted topic holds whole states. The address
 * is sealed for the departments granted the recipient field, as in the event's own envelope.
 */
export function createSuppressionDeriver(deps: SuppressionDeriverDeps) {
  const readers = new Map<string, string[]>();
  const readersOf = (source: string, kind: SourceKind): string[] => {
    let r = readers.get(source);
    if (!r) readers.set(source, (r = recipientReaders(deps.policy, source, kind)));
    return r;
  };
  return async function derive(source: { id: string; kind: SourceKind }, events: readonly ParsedEvent[], receivedAt: number): Promise<SinkRecord[]> {
    const rule = deps.rules.get(source.id);
    if (!rule) return [];
    const values: SuppressionValue[] = [];
    const inputs: SealInput[] = [];
    const owners: { value: SuppressionValue; department: string }[] = [];
    const departments = readersOf(source.id, source.kind);
    events.forEach((event, index) => {
      const signals = stopSignals(rule, event);
      const eventMs = Date.parse(event.time);
      const ord = orderStamp(Number.isFinite(eventMs) ? eventMs : receivedAt, receivedAt, index);
      for (const s of signals) {
        const value: SuppressionValue = {
          schema: SUPPRESSION_SCHEMA,
          subject: deps.blindIndex(s.address),
          ...(s.group !== undefined ? { group: s.group } : {}),
          reasons: {
            [s.reason]:
              s.action === 'stop'
                ? { since: event.time, sinceOrd: ord, lastOrd: ord, source: source.id, eventId: event.id }
                : { liftedOrd: ord, liftedBy: 'group_resubscribe', source: source.id, eventId: event.id },
          },
          source: source.id,
          eventId: event.id,
          ...(s.action === 'lift' ? { lifted: { at: event.time, by: 'group_resubscribe' as const } } : {}),
          policyVersion: deps.policy.version,
          sections: {},
          sealedId: event.id,
          sealedSource: source.id,
        };
        values.push(value);
        for (const department of departments) {
          inputs.push({ id: event.id, department, source: source.id, policyVersion: deps.policy.version, fields: { address: s.address } });
          owners.push({ value, department });
        }
      }
    });
    if (values.length === 0) return [];
    const sealed = inputs.length ? await deps.sealer.sealMany(inputs) : [];
    owners.forEach((o, i) => (o.value.sections[o.department] = sealed[i]!));
    return values.map((v) => ({
      topic: deps.topic,
      key: suppressionKey(v.subject, v.group),
      value: Buffer.from(JSON.stringify(v)),
      headers: { [SUPPRESSION_HEADERS.schema]: SUPPRESSION_SCHEMA, [SUPPRESSION_HEADERS.source]: source.id },
    }));
  };
}
export type SuppressionDeriver = ReturnType<typeof createSuppressionDeriver>;

/** The rules of every configured source that can suppress (sendgrid and sns kinds), by id. */
export function suppressRules(sources: readonly { id: string; kind: string; suppress?: unknown }[]): Map<string, SuppressRule> {
  const out = new Map<string, SuppressRule>();
  for (const s of sources) {
    if (s.kind === 'sendgrid' || s.kind === 'sns') out.set(s.id, { kind: s.kind, suppress: s.suppress } as SuppressRule);
  }
  return out;
}
