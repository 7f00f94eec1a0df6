import type { ActivityCount, ActivityKey, ActivityTally, SealedLink } from './types.js';

/** One record's share of an entry's tally: the group it adds one to. */
export type TallyGroup = ActivityTally['groups'][number];

/** The group of each record of an expand result (undefined when the entry has no tally). */
export function groupsOf(tally: ActivityTally | undefined, records: number): (TallyGroup | undefined)[] {
  if (!tally) return new Array<undefined>(records).fill(undefined);
  return Array.from({ length: records }, (_, i) => tally.groups[tally.of[i]!]);
}

/**
 * Sums the groups of the records a forwarding round sends (duplicates and dead letters left out) into
 * rows of counts: what the forwarder hands the activity store once Kafka and the journal both have them.
 */
export function createBatchCounts() {
  const rows = new Map<string, ActivityCount>();
  const links = new Map<string, SealedLink>();
  return {
    add(source: string, group: TallyGroup | undefined): void {
      if (!group) return;
      for (const k of group.keys) {
        const id = `${group.minute}\u0001${source}\u0001${k.dim}\u0001${k.type}\u0001${k.key}`;
        const row = rows.get(id);
        if (row) row.n++;
        else rows.set(id, { minute: group.minute, source, ...(k as ActivityKey), n: 1 });
      }
    },
    links(list: readonly SealedLink[] | undefined): void {
      for (const l of list ?? []) links.set(l.ref, l);
    },
    result(): { counts: ActivityCount[]; links: SealedLink[] } {
      return { counts: [...rows.values()], links: [...links.values()] };
    },
  };
}
