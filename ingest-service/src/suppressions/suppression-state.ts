import { z } from 'zod';

/**
 * The value of one suppression record (compacted topic, key = blind index, or `<index>/group/<id>`),
 * and how two of them merge. Compaction keeps only the latest record of a key, so every record must
 * carry the whole state of its subject, not only the event that caused it: writers merge with their
 * local view before writing, readers merge what they read into theirs.
 *
 * Whether a reason is active merges as a join (commutative, associative, idempotent), so two instances
 * racing, a replay of old events, or records read in any order all agree on it. Per reason it keeps the
 * latest stop and the latest lift by an order stamp (event time, then receive time, then position in the
 * request): the reason is active while its latest stop is newer than its latest lift. A lift is a
 * `group_resubscribe` or an operator's removal. `since` (the earliest stop after the latest lift) is exact
 * unless a lift arrives after stops newer than itself: only the earliest and latest stop are kept, so it
 * may then name a later stop than the first one after the lift (stops 3, 5, 6 then a late lift at 4: 6).
 * Readers of one topic merge its records in the same order and agree on it.
 */

export const SUPPRESSION_SCHEMA = 'sealpost.suppression/1';

/**
 * The reasons an address can be on the list for (stop-signals.ts). A record naming any other is not a
 * suppression record: the names reach the check's answer and the view's comma-joined column, and whoever
 * may write the topic must not add arbitrary ones (a comma split one reason into two).
 */
export const SUPPRESSION_REASONS = ['bounce', 'dropped', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'complaint'] as const;

/** Who lifted a reason. */
export const LIFTED_BY = ['group_resubscribe', 'admin'] as const;
export type LiftedBy = (typeof LIFTED_BY)[number];

/** Order stamp: `<event ms>.<received ms>.<index>`, zero-padded so that string order is time order. */
export type OrderStamp = string;

export function orderStamp(eventMs: number, receivedMs: number, index: number): OrderStamp {
  return `${padded(eventMs, 15)}.${padded(receivedMs, 15)}.${padded(index, 6)}`;
}

function padded(n: number, width: number): string {
  return String(Math.max(0, Math.trunc(n))).padStart(width, '0');
}

/** Times of recent stamps: a subject's stamps come back at every merge of its records (a Date each cost more than the merge). */
const stampTimes = new Map<string, string>();
const STAMP_TIMES = 4096;

/** The event time an order stamp carries, as ISO 8601. */
export function stampTime(stamp: OrderStamp): string {
  const ms = stamp.slice(0, 15);
  let t = stampTimes.get(ms);
  if (t === undefined) {
    t = new Date(Number(ms)).toISOString();
    if (stampTimes.size >= STAMP_TIMES) stampTimes.clear();
    stampTimes.set(ms, t);
  }
  return t;
}

const stamp = z.string().regex(/^\d{15}\.\d{15}\.\d{6}$/);

const reasonState = z.object({
  /** Event time the current suppression for this reason began (absent while lifted). */
  since: z.string().optional(),
  sinceOrd: stamp.optional(),
  /** Latest stop event. */
  lastOrd: stamp.optional(),
  /** Latest lift, and who lifted. */
  liftedOrd: stamp.optional(),
  liftedBy: z.enum(LIFTED_BY).optional(),
  /** Source and event id of the latest stop or lift of this reason (clear ids, nothing personal). */
  source: z.string(),
  eventId: z.string(),
});
export type ReasonState = z.infer<typeof reasonState>;

export const suppressionValueSchema = z.object({
  schema: z.literal(SUPPRESSION_SCHEMA),
  /** Blind index of the address. */
  subject: z.string().min(1).max(200),
  /** SendGrid unsubscribe group (asm_group_id); absent for the global entry. */
  group: z.number().int().optional(),
  reasons: z.record(z.string().refine((k) => (SUPPRESSION_REASONS as readonly string[]).includes(k), 'not a suppression reason'), reasonState),
  /** Source and event id of the write (an operator's removal: `admin`). */
  source: z.string(),
  eventId: z.string(),
  /** When the write lifted a reason: when, and who. */
  lifted: z.object({ at: z.string(), by: z.enum(LIFTED_BY) }).optional(),
  /** Policy version the sections were sealed under (encryption context). */
  policyVersion: z.number().int().positive(),
  /** Department -> ESDK message (base64) of `{ id: sealedId, department, fields: { address } }`. */
  sections: z.record(z.string(), z.string()),
  /**
   * With subject keys: department -> id of the subject key (of `subject`) its section is sealed under, as
   * in an envelope v2 (the key record is on the keys topic; a forget tombstones it and the address with it).
   */
  keys: z.record(z.string(), z.string()).optional(),
  /** The id bound inside the sealed sections (the event that sealed them), and its source (encryption context). */
  sealedId: z.string(),
  sealedSource: z.string(),
});
export type SuppressionValue = z.infer<typeof suppressionValueSchema>;

/** The record key of a subject's global entry or group entry. */
export function suppressionKey(subject: string, group?: number): string {
  return group === undefined ? subject : `${subject}/group/${group}`;
}

const max = (a?: string, b?: string): string | undefined => (a === undefined ? b : b === undefined ? a : a > b ? a : b);

/** True while the reason's latest stop is newer than its latest lift. */
export function isActive(r: ReasonState): boolean {
  return r.lastOrd !== undefined && (r.liftedOrd === undefined || r.lastOrd > r.liftedOrd);
}

const latestOf = (r: ReasonState): string => max(r.lastOrd, r.liftedOrd) ?? '';

/** The earlier of `x` and `o`, counting `o` only when it is after `after` (a lift). */
function earliestAfter(after: string | undefined, x: string | undefined, o: string | undefined): string | undefined {
  return o !== undefined && (after === undefined || o > after) && (x === undefined || o < x) ? o : x;
}

/** Joins two states of one reason (see the file comment). */
export function mergeReason(a: ReasonState | undefined, b: ReasonState | undefined): ReasonState {
  if (!a) return b!;
  if (!b) return a;
  const liftedOrd = max(a.liftedOrd, b.liftedOrd);
  const liftedBy = liftedOrd === undefined ? undefined : a.liftedOrd === liftedOrd ? a.liftedBy : b.liftedBy;
  const lastOrd = max(a.lastOrd, b.lastOrd);
  // The current suppression began at the earliest stop known after the latest lift.
  const sinceOrd = earliestAfter(liftedOrd, earliestAfter(liftedOrd, earliestAfter(liftedOrd, earliestAfter(liftedOrd, undefined, a.sinceOrd), a.lastOrd), b.sinceOrd), b.lastOrd);
  const newer = latestOf(b) > latestOf(a) ? b : a;
  // Field by field in this order (what a record holds), without a spread object per optional field.
  const out: Partial<ReasonState> = {};
  if (sinceOrd) {
    out.since = stampTime(sinceOrd);
    out.sinceOrd = sinceOrd;
  }
  if (lastOrd) out.lastOrd = lastOrd;
  if (liftedOrd) out.liftedOrd = liftedOrd;
  if (liftedBy) out.liftedBy = liftedBy;
  out.source = newer.source;
  out.eventId = newer.eventId;
  return out as ReasonState;
}

/** The sealed address of a value and what opening it needs (it travels whole: sections and their keys together). */
function sealedPart(v: SuppressionValue): Pick<SuppressionValue, 'sections' | 'keys' | 'sealedId' | 'sealedSource' | 'policyVersion'> {
  return { sections: v.sections, ...(v.keys ? { keys: v.keys } : {}), sealedId: v.sealedId, sealedSource: v.sealedSource, policyVersion: v.policyVersion };
}

/** Joins the reasons of two values of one key; the rest (write info, sections) comes from `incoming`. */
export function mergeValues(current: SuppressionValue | undefined, incoming: SuppressionValue): SuppressionValue {
  if (!current) return incoming;
  const reasons: Record<string, ReasonState> = {};
  for (const name of new Set([...Object.keys(current.reasons), ...Object.keys(incoming.reasons)]).values()) {
    reasons[name] = mergeReason(current.reasons[name], incoming.reasons[name]);
  }
  const keepSections = Object.keys(incoming.sections).length === 0;
  return {
    ...incoming,
    reasons,
    ...(keepSections ? sealedPart(current) : {}),
  };
}

/**
 * Canonical text of the reasons (sorted), to tell whether a record already holds a whole state. Compared in
 * memory only; reason names are a fixed set and stamps are digits and dots, so the separators cannot be confused.
 */
export function reasonsFingerprint(v: SuppressionValue): string {
  let out = '';
  for (const k of Object.keys(v.reasons).sort()) {
    const r = v.reasons[k]!;
    out += `${k}|${r.sinceOrd ?? ''}|${r.lastOrd ?? ''}|${r.liftedOrd ?? ''};`;
  }
  return out;
}

/** What a check reports for one entry: its active reasons and when the earliest began. */
export function activeSummary(v: SuppressionValue | undefined): { reasons: string[]; since: string | null } {
  if (!v) return { reasons: [], since: null };
  const active = Object.entries(v.reasons).filter(([, r]) => isActive(r));
  let since: string | undefined;
  for (const [, r] of active) if (r.sinceOrd && (!since || r.sinceOrd < since)) since = r.sinceOrd;
  return { reasons: active.map(([k]) => k).sort(), since: since ? stampTime(since) : null };
}

/** A lift of every active reason of `v` at `atMs` by `by` (an operator's removal). */
export function liftAll(v: SuppressionValue, atMs: number, by: LiftedBy, eventId: string): SuppressionValue {
  const ord = orderStamp(atMs, atMs, 0);
  const reasons: Record<string, ReasonState> = {};
  for (const [name, r] of Object.entries(v.reasons)) {
    reasons[name] = isActive(r) ? mergeReason(r, { liftedOrd: ord, liftedBy: by, source: 'admin', eventId }) : r;
  }
  return { ...v, reasons, source: 'admin', eventId, lifted: { at: new Date(atMs).toISOString(), by } };
}
