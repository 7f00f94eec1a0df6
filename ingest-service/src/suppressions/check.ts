import type { BlindIndexer } from '../../../shared/blind-index/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { MAX_CHECK_ADDRESSES } from './suppression-config.js';
import { SUPPRESSION_ERRORS } from './errors.js';
import { suppressionKey } from './suppression-state.js';

/** One answer of the check, in the order of the addresses asked. */
export interface CheckResult {
  suppressed: boolean;
  reasons: string[];
  /** When the earliest active reason began (ISO), null when not suppressed. */
  since: string | null;
}

/** A parsed check request. */
export interface CheckRequest {
  addresses: string[];
  group?: number;
}

/** Longest address accepted (RFC 5321 path limit, with room for a display name). */
const MAX_ADDRESS_CHARS = 512;

const bad = (reason: string, message: string): SealpostError =>
  new SealpostError(SUPPRESSION_ERRORS.badRequest, message, { status: 400, details: { reason } });

/**
 * Parses `{"addresses": [...], "group": 10}`. Each refusal names what is wrong with a stable
 * `details.reason` (counted in metrics) and never echoes an address back.
 */
export function parseCheckBody(body: Buffer): CheckRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw bad('invalid_json', 'the body is not JSON; send {"addresses": ["a@example.com", ...], "group": 10} with Content-Type: application/json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not_an_object', 'the body must be a JSON object {"addresses": [...], "group"?: integer}');
  const { addresses, group, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw bad('unknown_field', `unknown field(s) ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}; only "addresses" and "group" are read`);
  if (!Array.isArray(addresses)) throw bad('missing_addresses', '"addresses" must be an array of strings');
  if (addresses.length === 0) throw bad('empty_list', '"addresses" is empty; send at least one address');
  if (addresses.length > MAX_CHECK_ADDRESSES) throw bad('too_many_addresses', `"addresses" holds ${addresses.length} entries; at most ${MAX_CHECK_ADDRESSES} per request, split the list`);
  for (let i = 0; i < addresses.length; i++) {
    const a = addresses[i];
    if (typeof a !== 'string') throw bad('not_a_string', `"addresses"[${i}] is ${a === null ? 'null' : Array.isArray(a) ? 'an array' : `a ${typeof a}`}, not a string`);
    if (a.trim() === '' || a.length > MAX_ADDRESS_CHARS) throw bad('invalid_address', `"addresses"[${i}] is empty or longer than ${MAX_ADDRESS_CHARS} characters`);
  }
  if (group !== undefined && (typeof group !== 'number' || !Number.isSafeInteger(group) || group < 0)) {
    throw bad('invalid_group', '"group" must be a non-negative integer (the SendGrid asm_group_id)');
  }
  return { addresses: addresses as string[], ...(group !== undefined ? { group: group as number } : {}) };
}

/** Where the check reads: the view's summaries of the keys a request asks about, in one lookup (absent = not on the list). */
export interface CheckView {
  summaries(keys: readonly string[]): ReadonlyMap<string, { reasons: string[]; since: number | null }>;
}

/**
 * Answers a parsed check from the view: each address's global entry, and its group entry when a
 * group is asked. Only the asked addresses' blind indexes are looked up, so the answer reveals nothing
 * about any other address. The indexes of the whole request are computed in one call and looked up in
 * one statement: per-address calls were most of the check's time (bench:suppressions, --cpu-prof).
 */
export function answerCheck(req: CheckRequest, view: CheckView, blindIndex: Pick<BlindIndexer, 'many'>): CheckResult[] {
  const subjects = blindIndex.many(req.addresses);
  const group = req.group;
  const found = view.summaries(group === undefined ? subjects : [...subjects, ...subjects.map((s) => suppressionKey(s, group))]);
  return subjects.map((subject) => {
    const global = found.get(subject);
    const grouped = group === undefined ? undefined : found.get(suppressionKey(subject, group));
    const reasons = [...(global?.reasons ?? []), ...(grouped?.reasons ?? [])];
    if (reasons.length === 0) return { suppressed: false, reasons: [], since: null };
    const times = [global?.reasons.length ? global.since : null, grouped?.reasons.length ? grouped.since : null].filter((t): t is number => t !== null);
    return { suppressed: true, reasons: [...new Set(reasons)].sort(), since: times.length ? new Date(Math.min(...times)).toISOString() : null };
  });
}
