import type { z } from 'zod';
import type { timelineArgs } from '../../../shared/console-api/activity-schemas.js';
import type { Timeline } from '../../../shared/console-api/activity-types.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import type { RawCluster } from '../kafka/raw-fetch.js';
import { collect } from '../messages/collect.js';
import { compileFilter } from '../messages/filters.js';
import type { Watermarks } from '../messages/read-window.js';
import { partitionOfKey } from './partition-of.js';

export type TimelineArgs = z.output<typeof timelineArgs> & { profile: string };

export interface TimelineDeps {
  cluster: RawCluster;
  watermarks(topic: string): Promise<Watermarks>;
  /** The blind indexer as `profile` (Messages' recipient search uses the same). */
  blindIndex(profile: string): Promise<(address: string) => string>;
  opener(profile: string): Promise<EnvelopeOpener>;
  /** Whether the suppression list can be asked (not yet in this build: see docs/activity.md). */
  suppressionAvailable?: boolean;
  now?: () => number;
}

/** Records read per fetch while walking the partition backwards. */
const CHUNK = 20_000;

/**
 * One person's events, in order: the address becomes its blind index (the Kafka key), the key names the one
 * partition the producer put all of them on, and only that partition is read, newest first, keeping records
 * whose key bytes match (no JSON parsed for the others), within a budget of records and of time that `before`
 * continues. The matches' sections are then opened with the operator's identity: what it may read, or why not.
 */
export async function readTimeline(deps: TimelineDeps, args: TimelineArgs): Promise<Timeline> {
  const index = await deps.blindIndex(args.profile);
  const recipient = index(args.address);
  const wm = await deps.watermarks(args.topic);
  const partition = partitionOfKey(recipient, wm.size);
  const w = wm.get(partition) ?? { low: 0, high: 0 };
  const start = args.before !== undefined ? Math.max(w.low, Math.min(Number(args.before), w.high)) : w.high;
  const cursors = new Map([[partition, { pos: start, bound: w.low }]]);
  const filter = compileFilter({ recipient: args.address }, index);
  // One call answers within about maxMs (the panel's 'search further back' continues), never without progress:
  // the deadline is only looked at once a chunk has been read.
  const now = deps.now ?? Date.now;
  const deadline = now() + args.maxMs;
  const shouldStop = (): boolean => cursors.get(partition)!.pos < start && now() >= deadline;
  const res = await collect(deps.cluster, args.topic, { direction: 'backward', cursors, perPartitionLimit: args.limit, filter, budget: args.budget, chunk: CHUNK, shouldStop });
  const matches = (res.matches.get(partition) ?? []).filter((m) => m.envelope);
  const stop = cursors.get(partition)!.pos;
  const opener = await deps.opener(args.profile);
  const [identity, opened] = await Promise.all([opener.identity(), matches.length ? opener.open(matches.map((m) => m.envelope as Envelope)) : Promise.resolve([])]);
  const events = matches
    .map((m, i) => ({ row: m.row, sections: opened[i]!.sections }))
    .sort((a, b) => a.row.time - b.row.time || Number(a.row.offset) - Number(b.row.offset));
  return {
    topic: args.topic,
    recipient,
    partition,
    scanned: res.scanned,
    partitionRecords: w.high - w.low,
    complete: stop <= w.low,
    nextBefore: stop > w.low ? String(stop) : null,
    identity,
    events,
    suppression: {
      recipient,
      available: deps.suppressionAvailable ?? false,
      // LINK TARGET (issue 13, suppression list): not in this build yet; the page links here once its admin API lands.
      note: 'The suppression list is not part of this build yet: its state for this person will show here, looked up by this blind index.',
    },
  };
}
