import { createKeyedRef } from '../../../shared/blind-index/keyed-ref.js';
import type { SourceKind } from '../../../shared/envelope/index.js';
import { compileRule, ruleFor, splitEvent, type CompiledRule, type Policy } from '../../../shared/policy/index.js';
import type { SectionSealer } from '../../../shared/seal/types.js';
import type { ParsedEvent } from '../parse/index.js';
import { activityKeysOf, clickedUrlOf, type FactRule } from './facts.js';
import type { ActivityKey, ActivityTally, SealedLink } from './types.js';
import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

const MINUTE = 60_000;
/** An event stamped further ahead than this (a wrong clock at the provider) counts at its receive time. */
const MAX_AHEAD_MS = 3_600_000;
/** URLs each expand worker remembers having sealed (the store keeps them all; this only avoids sealing twice). */
const SEEN_LINKS = 10_000;

export interface TallyDeps {
  policy: Policy;
  sealer: SectionSealer;
  /** Key of the link references (derived from the blind-index key, so every instance agrees). */
  linkKey: Buffer;
  sesCategoryTag: string;
}

/** `{a: {b: value}}` for path `a.b`: the URL alone, where its event holds it. */
const nest = (path: string, value: string): Record<string, unknown> =>
  path.split('.').reduceRight<Record<string, unknown>>((inner, part, i, all) => ({ [part]: i === all.length - 1 ? value : inner }), {});

/**
 * Counts one entry's events for email activity, in the expand worker (which already holds each parsed
 * event, so the ingest thread does no extra work): per record its minute (event time) and keys, grouped;
 * and the clicked URLs not sealed before, sealed for the departments the policy grants the URL field.
 */
export function createTallier(deps: TallyDeps) {
  const rules = new Map<string, { compiled: CompiledRule; fact: FactRule }>();
  const seen = new Set<string>();
  const evictOldestSeen = oldestEvictor(seen);
  // Keyed reference of a URL: 16 bytes of HMAC-SHA256, base64url; an entry's clicks in one call.
  const linkRef = createKeyedRef(deps.linkKey);
  const ruleOf = (source: string, kind: SourceKind) => {
    const k = `${source}\u0000${kind}`;
    let r = rules.get(k);
    if (!r) {
      const raw = ruleFor(deps.policy, source, kind);
      if (!raw) return undefined;
      const compiled = compileRule(raw);
      r = { compiled, fact: { clear: compiled.clear, sesCategoryTag: deps.sesCategoryTag } };
      rules.set(k, r);
    }
    return r;
  };

  return async function tally(source: { id: string; kind: SourceKind }, events: readonly ParsedEvent[], receivedAt: number): Promise<ActivityTally | undefined> {
    if (source.kind === 'events' || events.length === 0) return undefined;
    const rule = ruleOf(source.id, source.kind);
    if (!rule) return undefined;
    const groups: ActivityTally['groups'] = [];
    const index = new Map<string, number>();
    const of: number[] = [];
    const fresh = new Map<string, { path: string; url: string }>();
    const receivedMinute = Math.floor(receivedAt / MINUTE) * MINUTE;
    const clicks = events.map((event) => clickedUrlOf(source.kind, event.type, event.body));
    const refs = linkRef.many(clicks.flatMap((c) => (c ? [c.url] : [])));
    let referenced = 0;
    for (let e = 0; e < events.length; e++) {
      const event = events[e]!;
      const keys: ActivityKey[] = activityKeysOf(source.kind, event.type, event.body, rule.fact);
      const click = clicks[e];
      if (click) {
        const ref = refs[referenced++]!;
        keys.push({ dim: 'link', type: keys[0]!.type, key: ref });
        if (!seen.has(ref)) fresh.set(ref, click);
      }
      const t = Date.parse(event.time);
      const minute = Number.isFinite(t) && t <= receivedAt + MAX_AHEAD_MS ? Math.floor(t / MINUTE) * MINUTE : receivedMinute;
      let id = '';
      for (const k of keys) id += `${k.dim}\u0001${k.type}\u0001${k.key}\u0002`;
      id += minute;
      let g = index.get(id);
      if (g === undefined) {
        g = groups.length;
        groups.push({ minute, keys });
        index.set(id, g);
      }
      of.push(g);
    }
    const links = fresh.size ? await sealLinks(source.id, rule.compiled, fresh) : [];
    return { groups, of, links };
  };

  async function sealLinks(source: string, rule: CompiledRule, fresh: Map<string, { path: string; url: string }>): Promise<SealedLink[]> {
    const policyVersion = deps.policy.version;
    const inputs: { id: string; department: string; source: string; policyVersion: number; fields: Record<string, unknown> }[] = [];
    const owners: { link: SealedLink; department: string }[] = [];
    const links: SealedLink[] = [];
    for (const [ref, { path, url }] of fresh) {
      const link: SealedLink = { ref, source, policyVersion, sections: {} };
      links.push(link);
      // Only the URL, split by the same rule as its event: the departments granted that path get it.
      for (const [department, fields] of splitEvent(nest(path, url), rule).sections) {
        inputs.push({ id: `link:${ref}`, department, source, policyVersion, fields });
        owners.push({ link, department });
      }
    }
    const sealed = inputs.length ? await deps.sealer.sealMany(inputs) : [];
    for (let i = 0; i < owners.length; i++) owners[i]!.link.sections[owners[i]!.department] = sealed[i]!;
    for (const l of links) {
      if (seen.size >= SEEN_LINKS) evictOldestSeen();
      seen.add(l.ref);
    }
    return links;
  }
}

export type Tallier = ReturnType<typeof createTallier>;
