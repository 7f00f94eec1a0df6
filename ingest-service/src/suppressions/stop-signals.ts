import { normaliseAddress } from '../../../shared/policy/index.js';
import type { ParsedEvent } from '../parse/index.js';
import type { SendgridSuppress, SesSuppress } from './suppression-config.js';

/** One "stop" (or the lift of one) that an event means for one address. */
export interface StopSignal {
  /** Normalised address (never leaves the expand worker in clear). */
  address: string;
  /** `bounce`, `dropped`, `spamreport`, `unsubscribe`, `group_unsubscribe`, `complaint`. */
  reason: string;
  group?: number;
  action: 'stop' | 'lift';
}

/** What counts as "stop" for one source, by kind (validated config, see suppression-config.ts). */
export type SuppressRule = { kind: 'sendgrid'; suppress: SendgridSuppress } | { kind: 'sns'; suppress: SesSuppress };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function groupId(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** SendGrid event types that may mean stop (or its lift): anything else returns at once, on the hot path. */
const SENDGRID_TYPES = new Set(['bounce', 'dropped', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe']);

function sendgridSignals(s: SendgridSuppress, e: ParsedEvent): StopSignal[] {
  if (!SENDGRID_TYPES.has(e.type)) return [];
  const email = str(e.body['email']);
  if (!email) return [];
  const address = normaliseAddress(email);
  const on = (name: (typeof s.events)[number]): boolean => s.events.includes(name);
  switch (e.type) {
    case 'bounce': {
      const type = str(e.body['type']);
      return on('bounce') && !(type && s.ignoreBounceTypes.includes(type)) ? [{ address, reason: 'bounce', action: 'stop' }] : [];
    }
    case 'dropped': {
      const why = (str(e.body['reason']) ?? '').toLowerCase();
      return on('dropped') && s.droppedReasons.some((r) => why.includes(r.toLowerCase())) ? [{ address, reason: 'dropped', action: 'stop' }] : [];
    }
    case 'spamreport':
    case 'unsubscribe':
      return on(e.type) ? [{ address, reason: e.type, action: 'stop' }] : [];
    case 'group_unsubscribe':
    case 'group_resubscribe': {
      const group = groupId(e.body['asm_group_id']);
      if (!on('group_unsubscribe') || group === undefined) return [];
      return [{ address, reason: 'group_unsubscribe', group, action: e.type === 'group_unsubscribe' ? 'stop' : 'lift' }];
    }
    default:
      return [];
  }
}

function recipients(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out = new Set<string>();
  for (const r of list) {
    const a = r && typeof r === 'object' ? str((r as Record<string, unknown>)['emailAddress']) : undefined;
    if (a) out.add(normaliseAddress(a));
  }
  return [...out];
}

function sesSignals(s: SesSuppress, e: ParsedEvent): StopSignal[] {
  const obj = (k: string): Record<string, unknown> | undefined => {
    const v = e.body[k];
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  };
  if (e.type === 'Bounce' && s.events.includes('Bounce')) {
    const bounce = obj('bounce');
    const type = str(bounce?.['bounceType']);
    if (!bounce || !type || !s.bounceTypes.includes(type)) return [];
    return recipients(bounce['bouncedRecipients']).map((address) => ({ address, reason: 'bounce', action: 'stop' as const }));
  }
  if (e.type === 'Complaint' && s.events.includes('Complaint')) {
    return recipients(obj('complaint')?.['complainedRecipients']).map((address) => ({ address, reason: 'complaint', action: 'stop' as const }));
  }
  return [];
}

/**
 * The stops (and lifts) one parsed event means under its source's rule: SendGrid `bounce` (not
 * `blocked`), `dropped` for a bounce reason, `spamreport`, `unsubscribe`, `group_unsubscribe` per
 * `asm_group_id` (lifted by `group_resubscribe`); SES `Bounce` of a listed bounceType (Permanent) and
 * `Complaint`, for each bounced or complained recipient. Reads only fields of the parsed body.
 */
export function stopSignals(rule: SuppressRule, event: ParsedEvent): StopSignal[] {
  return rule.kind === 'sendgrid' ? sendgridSignals(rule.suppress, event) : sesSignals(rule.suppress, event);
}
