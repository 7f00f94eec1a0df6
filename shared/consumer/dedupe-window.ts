/**
 * The last `capacity` envelope ids seen, to drop duplicates: delivery into Kafka is at least once (a
 * forwarder crash between Kafka's acknowledgement and the journal mark re-sends a few events), and
 * those repeats arrive close to the original. Bounded, so a consumer running for months keeps constant
 * memory; an id older than the window is delivered again (documented in docs/consumers.md).
 */
export interface DedupeWindow {
  /** True the first time `id` is seen within the window (and remembers it); false for a repeat. */
  firstSeen(id: string): boolean;
  /** True when `id` is within the window (does not remember it). */
  has(id: string): boolean;
  readonly size: number;
}

/**
 * Builds an empty window of `capacity` ids. The oldest id is found through a ring, not by iterating the
 * Set from its start: V8 keeps deleted Set entries as holes until it rehashes, so "first value" after
 * many deletions scans them all (measured: ~200 µs per id at 100,000 ids, against ~1.5 µs with the ring).
 */
export function createDedupeWindow(capacity: number): DedupeWindow {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`dedupe window must hold at least 1 id, got ${capacity}`);
  const ids = new Set<string>();
  const ring: Array<string | undefined> = new Array(capacity);
  let next = 0;
  return {
    firstSeen(id) {
      if (ids.has(id)) return false;
      const oldest = ring[next];
      if (oldest !== undefined) ids.delete(oldest);
      ring[next] = id;
      next = (next + 1) % capacity;
      ids.add(id);
      return true;
    },
    has: (id) => ids.has(id),
    get size() {
      return ids.size;
    },
  };
}

/** What the dedupe rule needs of an event: where it sits, its id, and whether it opened (with or without a section). */
export interface DedupeCandidate {
  partition: number;
  state: 'open' | 'locked';
  envelope: { id: string } | null;
  hasSection?: boolean;
}

/**
 * True when `event` repeats one already handed over. Only VERIFIED events are remembered: an id in a
 * locked record (forged, copied, unreadable) proves nothing, so remembering it would let a forged copy
 * carrying a genuine id hide the genuine event; such records are always handed over. An event without
 * a section for this department (nothing to verify) never hides one whose section opened under the same
 * id (a stripped copy must not hide the genuine one). Keyed by partition: real repeats share the Kafka
 * key, so the same partition.
 */
export function isRepeat(window: DedupeWindow, event: DedupeCandidate): boolean {
  if (event.state !== 'open' || !event.envelope) return false;
  const at = `${event.partition}:${event.envelope.id}`;
  if (event.hasSection) return !window.firstSeen(`opened ${at}`);
  return window.has(`opened ${at}`) || !window.firstSeen(`bare ${at}`);
}
