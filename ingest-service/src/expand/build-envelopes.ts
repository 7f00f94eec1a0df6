import { ENVELOPE_SCHEMA, ENVELOPE_SCHEMA_V2, HEADERS, type Envelope, type SourceKind } from '../../../shared/envelope/index.js';
import { compileRule, recipientOf, ruleFor, splitEvent, type CompiledRule, type Policy } from '../../../shared/policy/index.js';
import type { SealInput, SectionSealer } from '../../../shared/seal/types.js';
import { SealpostError } from '../../../shared/errors/index.js';
import type { ParsedEvent } from '../parse/index.js';
import type { SinkRecord } from '../kafka/sink.js';
import type { BlindIndexer } from '../../../shared/blind-index/index.js';
import type { ExpandedRecord } from './contract.js';
import { sectionedValue } from './sectioned-value.js';
import type { SubjectKeyBatch, SubjectKeyring } from './subject-keys/subject-keyring.js';

export interface EnvelopeBuilderDeps {
  policy: Policy;
  sealer: SectionSealer;
  /** Blind indexes of recipient addresses (a batch's in one call). */
  blindIndex: Pick<BlindIndexer, 'many'>;
  /** Subject keys (crypto-shredding): sections of events with a recipient are sealed under them. Absent: v1 sealing. */
  subjectKeys?: SubjectKeyring;
}

/** Dead-letter reason of a new event about a forgotten subject under a rule `forgotten: dead-letter`. */
export const SUBJECT_FORGOTTEN = 'subject_forgotten';

/** What a batch of events became. */
export interface BuiltEnvelopes {
  records: ExpandedRecord[];
  /** Key records (keys topic) the records are sealed under, to produce no later than the records. */
  keyRecords: SinkRecord[];
  /** Events of forgotten subjects that became no record: dropped, or kept as dead letters (by event id). */
  forgotten: { eventId: string; outcome: 'drop' | 'dead-letter' }[];
  /** Events of forgotten subjects received up to the forget, sealed under throwaway keys. */
  shredded: number;
}

/**
 * Turns events of one source into sealed Kafka records: the policy splits each event into its clear
 * part and per-department fields, every section of the batch is sealed in one `sealMany` call (so
 * key material is fetched once per batch, not per event), and the key is the recipient's blind index
 * so that one recipient's events stay in order on one partition.
 *
 * With subject keys, an event with a recipient (its subject) has each section sealed under that
 * (subject, department)'s key and becomes a v2 envelope naming the keys; an event without one, or with
 * subject keys off, is exactly a v1 envelope. A forgotten subject's events received up to the forget are
 * sealed under keys that are never kept (unreadable from the start); newer ones follow the rule's `forgotten`.
 */
export function createEnvelopeBuilder(deps: EnvelopeBuilderDeps) {
  const compiled = new Map<string, CompiledRule>();
  const ruleOf = (source: string, kind: SourceKind): CompiledRule => {
    const cacheKey = `${source}\u0000${kind}`;
    let rule = compiled.get(cacheKey);
    if (!rule) {
      const raw = ruleFor(deps.policy, source, kind);
      if (!raw) {
        throw new SealpostError('SP_POLICY_NO_RULE', `the policy has no rule for source "${source}" or kind "${kind}"; add one under policy.rules`, { retriable: false });
      }
      rule = compileRule(raw);
      compiled.set(cacheKey, rule);
    }
    return rule;
  };
  const policyVersion = deps.policy.version;

  type Source = { id: string; kind: SourceKind; topic: string };
  async function seal(source: Source, events: readonly ParsedEvent[], receivedAt: number, keys: SubjectKeyBatch | undefined): Promise<BuiltEnvelopes> {
    const rule = ruleOf(source.id, source.kind);
    const received = new Date(receivedAt).toISOString();
    const inputs: SealInput[] = [];
    const owners: { envelope: Envelope; department: string }[] = [];
    const forgotten: BuiltEnvelopes['forgotten'] = [];
    const envelopes: Envelope[] = [];
    let shredded = 0;
    // Every recipient of the batch indexed in one call (a createHmac each cost more than the sealing's share).
    const addresses = events.map((event) => recipientOf(event.body, rule));
    const indexes = deps.blindIndex.many(addresses.filter((a): a is string => !!a));
    let indexed = 0;
    for (let e = 0; e < events.length; e++) {
      const event = events[e]!;
      const split = splitEvent(event.body, rule);
      const subject = addresses[e] ? indexes[indexed++] : undefined;
      const mode = keys && subject ? keys.mode(subject, receivedAt, rule.forgotten) : undefined;
      if (mode === 'drop' || mode === 'dead-letter') {
        forgotten.push({ eventId: event.id, outcome: mode });
        continue;
      }
      if (mode === 'throwaway') shredded++;
      const envelope: Envelope = {
        schema: ENVELOPE_SCHEMA,
        id: event.id,
        source: source.id,
        kind: source.kind,
        type: event.type,
        time: event.time,
        receivedAt: received,
        policyVersion,
        ...(subject ? { recipient: subject } : {}),
        clear: split.clear,
        sections: {},
      };
      for (const [department, fields] of split.sections) {
        const input: SealInput = { id: event.id, department, source: source.id, policyVersion, fields };
        if (mode) {
          input.subjectKey = mode === 'throwaway' ? keys!.throwaway() : keys!.keyFor(subject!, department);
          envelope.schema = ENVELOPE_SCHEMA_V2;
          (envelope.keys ??= {})[department] = input.subjectKey.id;
        }
        inputs.push(input);
        owners.push({ envelope, department });
      }
      envelopes.push(envelope);
    }
    const sealing = inputs.length ? deps.sealer.sealMany(inputs) : Promise.resolve([]);
    const finishing = keys ? keys.finish() : Promise.resolve([]);
    await Promise.allSettled([sealing, finishing]); // both done with their keys before the batch ends
    const [sealed, keyRecords] = await Promise.all([sealing, finishing]);
    for (let i = 0; i < owners.length; i++) owners[i]!.envelope.sections[owners[i]!.department] = sealed[i]!;
    // Records of one schema, departments and type share one headers object: fewer objects to clone to the main
    // thread and to pack for the sink thread (packed-records.ts sends each object once). Per call: types are the sender's.
    const headerSets = new Map<string, Record<string, string>>();
    const records = envelopes.map((envelope) => {
      const schema = envelope.schema === ENVELOPE_SCHEMA_V2 ? '2' : '1';
      const departments = Object.keys(envelope.sections).join(',');
      const id = `${schema}\u0000${departments}\u0000${envelope.type}`;
      let headers = headerSets.get(id);
      if (!headers) {
        headers = {
          [HEADERS.schema]: schema,
          [HEADERS.source]: source.id,
          [HEADERS.departments]: departments,
          [HEADERS.policyVersion]: String(policyVersion),
          [HEADERS.type]: envelope.type,
        };
        headerSets.set(id, headers);
      }
      return { eventId: envelope.id, topic: source.topic, key: envelope.recipient ?? envelope.id, value: sectionedValue(envelope), headers };
    });
    return { records, keyRecords, forgotten, shredded };
  }

  return async function build(source: Source, events: readonly ParsedEvent[], receivedAt: number): Promise<BuiltEnvelopes> {
    const keys = deps.subjectKeys?.begin();
    try {
      return await seal(source, events, receivedAt, keys);
    } finally {
      keys?.end(); // zeroes its throwaway keys and lets retired keys go
    }
  };
}

export type EnvelopeBuilder = ReturnType<typeof createEnvelopeBuilder>;
