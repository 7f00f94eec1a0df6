import { readRanges, type PartitionRange, type RawCluster } from '../kafka/raw-fetch.js';
import type { DecodedRecord } from './decode-row.js';
import type { RecordFilter } from './filters.js';

export type Direction = 'forward' | 'backward';

/** Per partition: where reading stands and where it must stop. */
export interface PartitionCursor {
  /** forward: next offset to read; backward: offset to read before (exclusive). */
  pos: number;
  /** forward: exclusive end (high watermark); backward: inclusive start (low watermark). */
  bound: number;
}

export interface CollectSpec {
  direction: Direction;
  cursors: Map<number, PartitionCursor>;
  /** Matches wanted per partition at most (a window needs no more than its limit from any one partition). */
  perPartitionLimit: number;
  filter: RecordFilter;
  /** Records read at most, across partitions. */
  budget: number;
  /** Records read per partition per round (the unfiltered case asks exactly what it needs). */
  chunk: number;
  shouldStop?: () => boolean;
  /**
   * Called after each completed round with its matches and the records it read; when set, matches are
   * streamed out instead of kept (scans), and partitions read on until their bound. The next round waits
   * for it (a scan opening sections of the matches).
   */
  onRound?: (matches: DecodedRecord[], read: number) => void | Promise<void>;
}

export interface CollectResult {
  /** Per partition, matches in offset order (empty when streamed through onRound). */
  matches: Map<number, DecodedRecord[]>;
  scanned: number;
  /** True when reading stopped on the budget with partitions still unread. */
  budgetSpent: boolean;
}

const done = (d: Direction, c: PartitionCursor): boolean => (d === 'forward' ? c.pos >= c.bound : c.pos <= c.bound);

/**
 * Reads partitions round by round (all partitions of a round in one fetch per leader), keeping only
 * matching records, until each partition has `perPartitionLimit` matches, reached its bound, or the
 * budget is spent. Cursors are updated in place so a caller can continue exactly where this stopped:
 * when a partition fills up mid-chunk, its cursor is set just past the last match it kept.
 */
export async function collect(cluster: RawCluster, topic: string, spec: CollectSpec): Promise<CollectResult> {
  const { direction, cursors } = spec;
  const matches = new Map<number, DecodedRecord[]>();
  for (const p of cursors.keys()) matches.set(p, []);
  let scanned = 0;
  const wanted = (p: number): boolean => (spec.onRound ? true : matches.get(p)!.length < spec.perPartitionLimit);
  for (;;) {
    if (spec.shouldStop?.()) break;
    const left = spec.budget - scanned;
    // With less budget left than partitions, only that many partitions read one more record each.
    const active = [...cursors].filter(([p, c]) => !done(direction, c) && wanted(p)).slice(0, Math.max(0, left));
    if (active.length === 0) {
      if (left <= 0 && [...cursors].some(([p, c]) => !done(direction, c) && wanted(p))) return { matches, scanned, budgetSpent: true };
      break;
    }
    const chunk = Math.max(1, Math.min(spec.chunk, Math.floor(left / active.length)));
    const ranges: PartitionRange[] = active.map(([partition, c]) =>
      direction === 'forward'
        ? { partition, from: c.pos, to: Math.min(c.bound, c.pos + chunk) }
        : { partition, from: Math.max(c.bound, c.pos - chunk), to: c.pos },
    );
    const found = new Map<number, DecodedRecord[]>();
    const before = scanned;
    for await (const { partition, records } of readRanges(cluster, topic, ranges, { shouldStop: spec.shouldStop })) {
      scanned += records.length;
      let list = found.get(partition);
      if (!list) found.set(partition, (list = []));
      for (const raw of records) {
        const hit = spec.filter(partition, raw);
        if (hit) list.push(hit);
      }
    }
    if (spec.shouldStop?.()) break;
    const round: DecodedRecord[] = [];
    for (const r of ranges) {
      const c = cursors.get(r.partition)!;
      const got = found.get(r.partition) ?? [];
      if (spec.onRound) {
        round.push(...got);
        c.pos = direction === 'forward' ? r.to : r.from;
        continue;
      }
      const have = matches.get(r.partition)!;
      const room = spec.perPartitionLimit - have.length;
      if (direction === 'forward') {
        const kept = got.slice(0, room);
        have.push(...kept);
        c.pos = got.length > room ? Number(kept[kept.length - 1]!.raw.offset) + 1 : r.to;
      } else {
        const kept = got.slice(Math.max(0, got.length - room));
        have.unshift(...kept);
        c.pos = got.length > room ? Number(kept[0]!.raw.offset) : r.from;
      }
    }
    await spec.onRound?.(round, scanned - before);
  }
  return { matches, scanned, budgetSpent: false };
}

/**
 * Merges per-partition matches into one page of `limit` rows by record timestamp (newest first when
 * backward), always taking from the near end of each partition so that what is taken from a
 * partition is contiguous — which keeps a simple per-partition cursor exact for the next page.
 * Returns the page and, per partition, the next cursor position.
 */
export function mergePage(
  direction: Direction,
  matches: Map<number, DecodedRecord[]>,
  cursors: Map<number, PartitionCursor>,
  limit: number,
): { page: DecodedRecord[]; positions: Map<number, number> } {
  const idx = new Map<number, number>();
  for (const [p, list] of matches) idx.set(p, direction === 'forward' ? 0 : list.length - 1);
  const page: DecodedRecord[] = [];
  while (page.length < limit) {
    let best: number | undefined;
    let bestTs = 0;
    for (const [p, list] of matches) {
      const i = idx.get(p)!;
      const rec = list[i];
      if (!rec) continue;
      const ts = rec.row.timestamp;
      if (best === undefined || (direction === 'forward' ? ts < bestTs : ts > bestTs) || (ts === bestTs && p < best)) {
        best = p;
        bestTs = ts;
      }
    }
    if (best === undefined) break;
    const i = idx.get(best)!;
    page.push(matches.get(best)![i]!);
    idx.set(best, direction === 'forward' ? i + 1 : i - 1);
  }
  const positions = new Map<number, number>();
  for (const [p, list] of matches) {
    const i = idx.get(p)!;
    const untaken = list[i];
    // Everything of p was taken: continue where reading stopped; else at the first record not taken.
    if (!untaken) positions.set(p, cursors.get(p)!.pos);
    else positions.set(p, direction === 'forward' ? Number(untaken.raw.offset) : Number(untaken.raw.offset) + 1);
  }
  return { page, positions };
}
