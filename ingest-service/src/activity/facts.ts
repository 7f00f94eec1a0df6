import type { SourceKind } from '../../../shared/envelope/index.js';
import type { ActivityKey } from './types.js';

/** Used in place of a value that is missing or does not look like a label (too long, an address, odd characters). */
export const OTHER = '(other)';
export const NONE = '(none)';

/** Labels are short words and codes; anything else (an address slipped into a category) is not counted as itself. */
const LABEL = /^[\p{L}\p{N} ._:/&()+,'#-]{1,64}$/u;

/** `v` when it is a label safe to keep in clear, else OTHER (or `missing` when absent). */
export function label(v: unknown, missing = OTHER): string {
  if (v === undefined || v === null || v === '') return missing;
  if (typeof v !== 'string' && typeof v !== 'number') return OTHER;
  const s = String(v).trim();
  return LABEL.test(s) && !s.includes('@') ? s : OTHER;
}

/**
 * SendGrid `dropped` reasons are a fixed set of SendGrid's own phrases; only these are counted as
 * themselves (the field is sealed by the default policy because free text could carry anything).
 */
const SENDGRID_DROP_REASONS = new Set([
  'Bounced Address',
  'Unsubscribed Address',
  'Spam Reporting Address',
  'Invalid',
  'Invalid SMTPAPI header',
  'Recipient List over Package Quota',
  'Spam Content (if spam checker app enabled)',
]);

/**
 * The class of an SMTP reply: its status code and enhanced status code (`421 4.7.0`), never its text,
 * which can name the recipient. `no code` when the reply starts with neither.
 */
export function smtpClass(response: unknown): string {
  if (typeof response !== 'string') return 'no code';
  const m = /^\s*([245]\d\d)(?!\d)(?:[ -]+([245]\.\d{1,3}\.\d{1,3})\b)?/.exec(response);
  if (m) return m[2] ? `${m[1]} ${m[2]}` : m[1]!;
  const e = /^\s*([245]\.\d{1,3}\.\d{1,3})\b/.exec(response);
  return e ? e[1]! : 'no code';
}

const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * The value at a clear path, reached the way splitEvent reaches the clear part (plain objects, own keys, one
 * key per dot): a tag named `a.b` is looked up as `tags.a.b`, never as a key `"a.b"`, which Kafka seals.
 */
function clearAt(body: Record<string, unknown>, path: string): unknown {
  let node: unknown = body;
  for (const part of path.split('.')) {
    const o = obj(node);
    if (!Object.hasOwn(o, part)) return undefined;
    node = o[part];
  }
  return node;
}

/** At most this many categories of one event are counted (SendGrid allows 10). */
const MAX_CATEGORIES = 10;

function categoryKeys(type: string, values: string[]): ActivityKey[] {
  const set = [...new Set(values.map((c) => label(c)))].slice(0, MAX_CATEGORIES);
  return (set.length ? set : [NONE]).map((key) => ({ dim: 'category' as const, type, key }));
}

/** What the counts may read of one event: its clear paths (from the policy) and, for SES, the tag that names its category. */
export interface FactRule {
  clear: ReadonlySet<string>;
  /** SES: the `mail.tags` entry whose value is the category (default `ses:configuration-set`). */
  sesCategoryTag: string;
}

/**
 * The keys one email event counts for (see ActivityDim). Categories, bounce classes and SES delay types
 * are read only where the policy leaves the field clear; SMTP replies and SendGrid drop reasons, which
 * the policy seals, give only a class (status code, a known SendGrid phrase). `events` sources are not
 * counted: their types are open-ended and their queries are the audit API's.
 */
export function activityKeysOf(kind: SourceKind, type: string, body: Record<string, unknown>, rule: FactRule): ActivityKey[] {
  if (kind === 'events') return [];
  const t = label(type);
  const keys: ActivityKey[] = [{ dim: 'type', type: t, key: '' }];
  if (kind === 'sendgrid') {
    keys.push(...categoryKeys(t, rule.clear.has('category') ? strings(body['category']) : []));
    if (type === 'bounce') {
      const sub = rule.clear.has('type') ? label(body['type'], 'bounce') : 'bounce';
      const cls = rule.clear.has('bounce_classification') ? label(body['bounce_classification'], 'Unclassified') : 'Unclassified';
      keys.push({ dim: 'bounce', type: t, key: `${sub}/${cls}` });
    } else if (type === 'dropped') {
      const reason = body['reason'];
      keys.push({ dim: 'bounce', type: t, key: typeof reason === 'string' && SENDGRID_DROP_REASONS.has(reason) ? reason : OTHER });
    } else if (type === 'deferred') {
      keys.push({ dim: 'deferral', type: t, key: smtpClass(body['response']) });
    }
    return keys;
  }
  // SES through SNS.
  const tagPath = `mail.tags.${rule.sesCategoryTag}`;
  keys.push(...categoryKeys(t, rule.clear.has(tagPath) ? strings(clearAt(body, tagPath)) : []));
  if (type === 'Bounce') {
    const b = obj(body['bounce']);
    const bt = rule.clear.has('bounce.bounceType') ? label(b['bounceType'], 'Undetermined') : 'Undetermined';
    const st = rule.clear.has('bounce.bounceSubType') ? label(b['bounceSubType'], 'Undetermined') : 'Undetermined';
    keys.push({ dim: 'bounce', type: t, key: `${bt}/${st}` });
  } else if (type === 'DeliveryDelay') {
    const d = obj(body['deliveryDelay']);
    keys.push({ dim: 'deferral', type: t, key: rule.clear.has('deliveryDelay.delayType') ? label(d['delayType'], 'Undetermined') : 'Undetermined' });
  }
  return keys;
}

/** The clicked URL of a click event and the path it has in the event (what the policy grants), or undefined. */
export function clickedUrlOf(kind: SourceKind, type: string, body: Record<string, unknown>): { path: string; url: string } | undefined {
  if (kind === 'sendgrid' && type === 'click' && typeof body['url'] === 'string' && body['url']) return { path: 'url', url: body['url'] };
  if (kind === 'sns' && type === 'Click') {
    const link = obj(body['click'])['link'];
    if (typeof link === 'string' && link) return { path: 'click.link', url: link };
  }
  return undefined;
}

/** The delivery funnel's stages, per kind: SendGrid processed → delivered → open → click, SES Send → Delivery → Open → Click. */
export const FUNNEL_STAGES = ['processed', 'delivered', 'open', 'click'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];
const STAGE_OF: Record<string, Record<string, FunnelStage>> = {
  sendgrid: { processed: 'processed', delivered: 'delivered', open: 'open', click: 'click' },
  sns: { Send: 'processed', Delivery: 'delivered', Open: 'open', Click: 'click' },
};
/** The funnel stage an event type is, for a source kind (undefined: not a funnel stage). */
export function funnelStage(kind: string, type: string): FunnelStage | undefined {
  return STAGE_OF[kind]?.[type];
}

/** Which (source, event type) is which funnel stage, for these sources: what the activity worker's funnel query sums. */
export function funnelStageTypes(sources: readonly { id: string; kind: string }[]): { source: string; type: string; stage: FunnelStage }[] {
  return sources.flatMap((s) => Object.entries(STAGE_OF[s.kind] ?? {}).map(([type, stage]) => ({ source: s.id, type, stage })));
}
