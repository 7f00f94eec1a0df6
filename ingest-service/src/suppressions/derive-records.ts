import type { BlindIndexer } from '../../../shared/blind-index/index.js';
import { compileRule, ruleFor, type CompiledRule, type Policy } from '../../../shared/policy/index.js';
import type { SubjectKey } from '../../../shared/seal/index.js';
import type { SealInput, SectionSealer } from '../../../shared/seal/types.js';
import type { SourceKind } from '../../../shared/envelope/index.js';
import type { SinkRecord } from '../kafka/sink.js';
import type { ParsedEvent } from '../parse/index.js';
import type { SubjectKeyBatch, SubjectKeyring } from '../expand/subject-keys/subject-keyring.js';
import { sectionedValue } from '../expand/sectioned-value.js';
import { stopSignals, type SuppressRule } from './stop-signals.js';
import { orderStamp, suppressionKey, SUPPRESSION_SCHEMA, type SuppressionValue } from './suppression-state.js';

/** Header on suppression records (their value schema), beside the source header of envelopes. */
export const SUPPRESSION_HEADERS = { schema: 'sealpost-schema', source: 'sealpost-source' } as const;

export interface SuppressionDeriverDeps {
  policy: Policy;
  sealer: SectionSealer;
  /** Blind indexes of addresses (an entry's in one call). */
  blindIndex: Pick<BlindIndexer, 'many'>;
  /** Source id -> its rule; sources absent here derive nothing. */
  rules: ReadonlyMap<string, SuppressRule>;
  topic: string;
  /** Subject keys (crypto-shredding): the address is sealed under the subject's keys, as the event's sections. */
  subjectKeys?: SubjectKeyring;
}

/** What one entry's events mean for the list: its records, and the key records they are sealed under (produced first). */
export interface DerivedSuppressions {
  records: SinkRecord[];
  keyRecords: SinkRecord[];
}

/**
 * Departments the policy grants the recipient field of a source (or every personal field), and what the
 * rule does with a new event about a forgotten subject.
 */
function recipientReaders(policy: Policy, source: string, kind: SourceKind): { departments: string[]; forgotten: CompiledRule['forgotten'] } {
  const raw = ruleFor(policy, source, kind);
  if (!raw) return { departments: [], forgotten: 'new-key' };
  const rule = compileRule(raw);
  const departments: string[] = [];
  for (const [dept, paths] of rule.grants) {
    if (paths === 'all' || rule.recipient.some((r) => paths.some((g) => r === g || r.startsWith(`${g}.`)))) departments.push(dept);
  }
  return { departments, forgotten: rule.forgotten };
}

/**
 * The subject key that seals a suppression's address (subject keys on): the subject's own key, as for
 * the event's sections, so a forget shreds the address too. For a forgotten subject, a key that is never
 * kept: received up to the forget, or newer under a rule that withholds the event (drop, dead-letter),
 * the person must still not be mailed, but nothing readable about them is kept.
 */
function sealingKey(keys: SubjectKeyBatch, subject: string, department: string, receivedAt: number, forgotten: CompiledRule['forgotten']): SubjectKey {
  return keys.mode(subject, receivedAt, forgotten) === 'keyed' ? keys.keyFor(subject, department) : keys.throwaway();
}

/**
 * Derives suppression records from the events of one entry, in the expand worker where the events
 * are already parsed and the sealer is at hand (no second parse). Each record carries only what its
 * event means (one reason, stopped or lifted); the main thread merges it with the local view before
 * it is produced (suppression-writer.ts), so that the compacted topic holds whole states. The address
 * is sealed for the departments granted the recipient field, as in the event's own envelope, and with
 * subject keys on under the same subject keys (their key records travel with the entry's, produced
 * before the records sealed under them), so forgetting the person shreds it too.
 */
export function createSuppressionDeriver(deps: SuppressionDeriverDeps) {
  const readers = new Map<string, ReturnType<typeof recipientReaders>>();
  const readersOf = (source: string, kind: SourceKind): ReturnType<typeof recipientReaders> => {
    let r = readers.get(source);
    if (!r) readers.set(source, (r = recipientReaders(deps.policy, source, kind)));
    return r;
  };
  const NONE: DerivedSuppressions = { records: [], keyRecords: [] };
  return async function derive(source: { id: string; kind: SourceKind }, events: readonly ParsedEvent[], receivedAt: number): Promise<DerivedSuppressions> {
    const rule = deps.rules.get(source.id);
    if (!rule) return NONE;
    const stops = events.map((event) => stopSignals(rule, event));
    if (stops.every((s) => s.length === 0)) return NONE; // the common case: no stop event, nothing sealed
    const values: SuppressionValue[] = [];
    const inputs: SealInput[] = [];
    const owners: { value: SuppressionValue; department: string }[] = [];
    const { departments, forgotten } = readersOf(source.id, source.kind);
    const subjects = deps.blindIndex.many(stops.flatMap((list) => list.map((s) => s.address)));
    let indexed = 0;
    const keys = deps.subjectKeys?.begin();
    try {
      events.forEach((event, index) => {
        const eventMs = Date.parse(event.time);
        const ord = orderStamp(Number.isFinite(eventMs) ? eventMs : receivedAt, receivedAt, index);
        for (const s of stops[index]!) {
          const subject = subjects[indexed++]!;
          const value: SuppressionValue = {
            schema: SUPPRESSION_SCHEMA,
            subject,
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
            const input: SealInput = { id: event.id, department, source: source.id, policyVersion: deps.policy.version, fields: { address: s.address } };
            if (keys) {
              input.subjectKey = sealingKey(keys, subject, department, receivedAt, forgotten);
              (value.keys ??= {})[department] = input.subjectKey.id;
            }
            inputs.push(input);
            owners.push({ value, department });
          }
        }
      });
      const sealing = inputs.length ? deps.sealer.sealMany(inputs) : Promise.resolve([]);
      const finishing = keys ? keys.finish() : Promise.resolve([]);
      await Promise.allSettled([sealing, finishing]); // both done with their keys before the keys end
      const [sealed, keyRecords] = await Promise.all([sealing, finishing]);
      owners.forEach((o, i) => (o.value.sections[o.department] = sealed[i]!));
      const records = values.map((v) => ({
        topic: deps.topic,
        key: suppressionKey(v.subject, v.group),
        value: sectionedValue(v),
        headers: { [SUPPRESSION_HEADERS.schema]: SUPPRESSION_SCHEMA, [SUPPRESSION_HEADERS.source]: source.id },
      }));
      return { records, keyRecords };
    } finally {
      keys?.end(); // zeroes its throwaway keys
    }
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
