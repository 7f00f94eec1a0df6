import { ENVELOPE_SCHEMA, HEADERS, type Envelope, type SourceKind } from '../../../shared/envelope/index.js';
import { compileRule, recipientOf, ruleFor, splitEvent, type CompiledRule, type Policy } from '../../../shared/policy/index.js';
import type { SealInput, SectionSealer } from '../../../shared/seal/types.js';
import { SealpostError } from '../../../shared/errors/index.js';
import type { ParsedEvent } from '../parse/index.js';
import type { ExpandedRecord } from './contract.js';

export interface EnvelopeBuilderDeps {
  policy: Policy;
  sealer: SectionSealer;
  /** Blind index of an (already normalised) address. */
  blindIndex(address: string): string;
}

/**
 * Turns events of one source into sealed Kafka records: the policy splits each event into its clear
 * part and per-department fields, every section of the batch is sealed in one `sealMany` call (so
 * key material is fetched once per batch, not per event), and the key is the recipient's blind index
 * so that one recipient's events stay in order on one partition.
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

  return async function build(
    source: { id: string; kind: SourceKind; topic: string },
    events: readonly ParsedEvent[],
    receivedAt: number,
  ): Promise<ExpandedRecord[]> {
    const rule = ruleOf(source.id, source.kind);
    const received = new Date(receivedAt).toISOString();
    const inputs: SealInput[] = [];
    const owners: { envelope: Envelope; department: string }[] = [];
    const envelopes: Envelope[] = events.map((event) => {
      const split = splitEvent(event.body, rule);
      const address = recipientOf(event.body, rule);
      const envelope: Envelope = {
        schema: ENVELOPE_SCHEMA,
        id: event.id,
        source: source.id,
        kind: source.kind,
        type: event.type,
        time: event.time,
        receivedAt: received,
        policyVersion,
        ...(address ? { recipient: deps.blindIndex(address) } : {}),
        clear: split.clear,
        sections: {},
      };
      for (const [department, fields] of split.sections) {
        inputs.push({ id: event.id, department, source: source.id, policyVersion, fields });
        owners.push({ envelope, department });
      }
      return envelope;
    });
    const sealed = inputs.length ? await deps.sealer.sealMany(inputs) : [];
    for (let i = 0; i < owners.length; i++) owners[i]!.envelope.sections[owners[i]!.department] = sealed[i]!;
    return envelopes.map((envelope) => ({
      eventId: envelope.id,
      topic: source.topic,
      key: envelope.recipient ?? envelope.id,
      value: Buffer.from(JSON.stringify(envelope)),
      headers: {
        [HEADERS.schema]: '1',
        [HEADERS.source]: source.id,
        [HEADERS.departments]: Object.keys(envelope.sections).join(','),
        [HEADERS.policyVersion]: String(policyVersion),
        [HEADERS.type]: envelope.type,
      },
    }));
  };
}

export type EnvelopeBuilder = ReturnType<typeof createEnvelopeBuilder>;
