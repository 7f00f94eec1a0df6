/**
 * When a subject key must be shredded: the rule every instance applies to what it reads on the keys
 * topic, as pure functions so it can be tested with tables. A key record and its forget marker live on
 * different partitions (their Kafka keys differ), so nothing here relies on their order in the log:
 * only on the times written in them and on what this instance knows about itself.
 */

/** How long after an instance saw a forget marker its own new keys of that subject still count as made before it. */
export const OWN_KEY_GRACE_MS = 2_000;

/** A key this instance saw on the keys topic and has not seen tombstoned. */
export interface LiveKey {
  subject: string;
  department: string;
  keyId: string;
  /** Epoch ms from `SubjectKeyRecord.createdAt` (0 when unreadable: treated as old). */
  createdAtMs: number;
  /** `SubjectKeyRecord.instance`: the process that made it. */
  instance: string;
}

/** What this instance knows of one forgotten subject. */
export interface ForgetState {
  /** From the marker: keys made up to then are shredded by everyone. */
  forgottenAtMs: number;
  /** When this instance handed the marker to its expand side (its own keys made before then are shredded too). */
  seenAtMs: number;
}

/** Epoch ms of a key record's createdAt; an unreadable date counts as the oldest possible (shredded by any forget). */
export function createdAtMs(createdAt: string): number {
  const t = Date.parse(createdAt);
  return Number.isFinite(t) ? t : 0;
}

/**
 * A key record met while its subject is (already) forgotten: shredded when it was made up to the forget
 * (by any instance: clocks agree within seconds, and the instance whose clock is late shreds its own by
 * the second clause), or made by this instance before its expand side could have heard of the forget.
 * A key made later than both is a new key for new data (docs/forget.md): it stays.
 */
export function shredOnArrival(key: Pick<LiveKey, 'createdAtMs' | 'instance'>, forget: ForgetState | undefined, self: string): boolean {
  if (!forget) return false;
  if (key.createdAtMs <= forget.forgottenAtMs) return true;
  return key.instance === self && key.createdAtMs <= forget.seenAtMs + OWN_KEY_GRACE_MS;
}

/**
 * A forget marker (S, F) met while `live` are the keys of S this instance knows: every key made up to F,
 * and every key this instance made (it had not seen this marker when it made them). Keys another
 * instance made after F are that instance's to judge (it shreds them on seeing the marker if it made them
 * before). A marker no newer than the one already applied changes nothing (idempotent; a key made for new
 * data after the first forget must not be shredded by a duplicate of it).
 */
export function shredOnMarker(live: readonly LiveKey[], markerAtMs: number, known: ForgetState | undefined, self: string): { apply: boolean; shred: LiveKey[] } {
  if (known && markerAtMs <= known.forgottenAtMs) return { apply: false, shred: [] };
  return { apply: true, shred: live.filter((k) => k.createdAtMs <= markerAtMs || k.instance === self) };
}
