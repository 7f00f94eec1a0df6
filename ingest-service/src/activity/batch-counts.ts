import type { ActivityCount, ActivityKey, ActivityTally, SealedLink } from './types.js';

/** One record's share of an entry's tally: the group it adds one to. */
export type TallyGroup = ActivityTally['groups'][number];

/** The group of each record of an expand result (undefined when the entry has no tally). */
export function groupsOf(tally: ActivityTally | undefined, records: number): (TallyGroup | undefined)[] {
  const out = new Array<TallyGroup | undefined>(records);
  for (let i = 0; i < records; i++) out[i] = tally ? tally.groups[tally.of[i]!] : undefined;
  return out;
}

/**
 * Sums the groups of the records a forwarding round sends (duplicates and dead letters left out) into
 * rows of counts: what the forwarder hands the activity store once Kafka and the journal both have them.
 * This runs on the ingest thread, per record: a record only adds one to its group (a group belongs to
 * one entry, so to one source); the group's keys become rows once per group, in result().
 */
export function createBatchCounts() {
  const groups = new Map<TallyGroup, { source: string; n: number }>();
  const links = new Map<string, SealedLink>();
  return {
    add(source: string, group: TallyGroup | undefined): void {
      if (!group) return;
      const g = groups.get(group);
      if (g) g.n++;
      else groups.set(group, { source, n: 1 });
    },
    links(list: readonly SealedLink[] | undefined): void {
      for (const l of list ?? []) links.set(l.ref, l);
    },
    result(): { counts: ActivityCount[]; links: SealedLink[] } {
      const rows = new Map<string, ActivityCount>();
      for (const [group, { source, n }] of groups) {
        for (const k of group.keys) {
          const id = `${group.minute}\u0001${source}\u0001${k.dim}\u0001${k.type}\u0001${k.key}`;
          const row = rows.get(id);
          if (row) row.n += n;
          else rows.set(id, { minute: group.minute, source, ...(k as ActivityKey), n });
        }
      }
      return { counts: [...rows.values()], links: [...links.values()] };
    },
  };
}
