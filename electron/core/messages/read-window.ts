import type { z } from 'zod';
import type { windowArgs } from '../../../shared/console-api/schemas.js';
import type { Cursor, MessageWindow } from '../../../shared/console-api/types.js';
import type { RawCluster } from '../kafka/raw-fetch.js';
import { collect, mergePage, type Direction, type PartitionCursor } from './collect.js';
import type { DecodedRecord } from './decode-row.js';
import { compileFilter, isEmptyFilter } from './filters.js';

/** A window's arguments, with the profile a recipient search runs as already chosen by the caller. */
export type WindowArgs = z.output<typeof windowArgs> & { profile: string };

/** Low and high watermark of each partition of a topic. */
export type Watermarks = Map<number, { low: number; high: number }>;

export interface WindowDeps {
  cluster: RawCluster;
  watermarks(topic: string): Promise<Watermarks>;
  /** Per partition, the first offset whose timestamp is >= ts (the high watermark when none). */
  offsetsAt(topic: string, ts: number): Promise<Map<number, number>>;
  /** The blind indexer for recipient search as `profile` (throws when that profile cannot have the key). */
  blindIndex(profile: string): Promise<(address: string) => string>;
}

/** Where each partition starts and stops for a fresh window. */
async function startCursors(deps: WindowDeps, args: WindowArgs, wm: Watermarks): Promise<{ direction: Direction; cursors: Map<number, PartitionCursor> }> {
  const wanted = (p: number): boolean =>
    (args.partition === undefined || p === args.partition) && (!args.filters?.partitions?.length || args.filters.partitions.includes(p));
  const cursors = new Map<number, PartitionCursor>();
  if (args.cursor) {
    const direction = args.cursor.direction;
    for (const [key, value] of Object.entries(args.cursor.positions)) {
      const p = Number(key);
      const w = wm.get(p);
      if (!w || !wanted(p)) continue;
      const pos = Math.min(Math.max(Number(value), w.low), w.high);
      cursors.set(p, { pos, bound: direction === 'forward' ? w.high : w.low });
    }
    return { direction, cursors };
  }
  const at = args.mode === 'timestamp' ? await deps.offsetsAt(args.topic, args.timestamp!) : undefined;
  for (const [p, w] of wm) {
    if (!wanted(p)) continue;
    switch (args.mode) {
      case 'newest':
        cursors.set(p, { pos: w.high, bound: w.low });
        break;
      case 'oldest':
        cursors.set(p, { pos: w.low, bound: w.high });
        break;
      case 'offset':
        cursors.set(p, { pos: Math.min(Math.max(Number(args.offset), w.low), w.high), bound: w.high });
        break;
      case 'timestamp':
        cursors.set(p, { pos: Math.min(Math.max(at?.get(p) ?? w.high, w.low), w.high), bound: w.high });
        break;
      case 'tail':
        cursors.set(p, { pos: w.high, bound: w.high });
        break;
    }
  }
  return { direction: args.mode === 'newest' ? 'backward' : 'forward', cursors };
}

/**
 * One window of rows: at most `limit` rows, from the chosen position, through the clear-part filters.
 * Memory is bounded by limit x partitions decoded records (fewer for single-partition windows);
 * filtered windows read at most `scanBudget` records and say so, so the renderer can offer a scan.
 */
export async function readWindow(deps: WindowDeps, args: WindowArgs): Promise<{ window: MessageWindow; records: DecodedRecord[] }> {
  const wm = await deps.watermarks(args.topic);
  const { direction, cursors } = await startCursors(deps, args, wm);
  const plain = isEmptyFilter(args.filters);
  const filter = compileFilter(args.filters, args.filters?.recipient ? await deps.blindIndex(args.profile) : null);
  const { matches, scanned, budgetSpent } = await collect(deps.cluster, args.topic, {
    direction,
    cursors,
    perPartitionLimit: args.limit,
    filter,
    budget: plain ? Number.MAX_SAFE_INTEGER : args.scanBudget,
    chunk: plain ? args.limit : Math.max(args.limit, 2_000),
  });
  const { page, positions } = mergePage(direction, matches, cursors, args.limit);
  const cursor: Cursor = { direction, positions: {} };
  let end = true;
  for (const [p, pos] of positions) {
    cursor.positions[String(p)] = String(pos);
    const c = cursors.get(p)!;
    if (direction === 'forward' ? pos < c.bound : pos > c.bound) end = false;
  }
  return {
    window: { topic: args.topic, rows: page.map((d) => d.row), scanned, cursor, end, budgetSpent },
    records: page,
  };
}
