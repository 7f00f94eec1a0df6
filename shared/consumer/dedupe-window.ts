/**
 * The last `capacity` envelope ids seen, to drop duplicates: delivery into Kafka is at least once (a
 * forwarder crash between Kafka's acknowledgement and the journal mark re-sends a few events), and
 * those repeats arrive close to the original. Bounded, so a consumer running for months keeps constant
 * memory; an id older than the window is delivered again (documented in docs/consumers.md).
 */
export interface DedupeWindow {
  /** True the first time `id` is seen within the window (and remembers it); false for a repeat. */
  firstSeen(id: string): boolean;
  readonly size: number;
}

/** Builds an empty window of `capacity` ids (insertion order; the oldest is forgotten first). */
export function createDedupeWindow(capacity: number): DedupeWindow {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`dedupe window must hold at least 1 id, got ${capacity}`);
  const ids = new Set<string>();
  return {
    firstSeen(id) {
      if (ids.has(id)) return false;
      ids.add(id);
      if (ids.size > capacity) ids.delete(ids.values().next().value!);
      return true;
    },
    get size() {
      return ids.size;
    },
  };
}
