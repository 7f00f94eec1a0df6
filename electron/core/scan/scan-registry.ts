import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { SealpostError } from '../../../shared/errors/index.js';
import { toErrorInfo } from '../../../shared/console-api/dispatch.js';
import type { scanProgressArgs, scanStartArgs } from '../../../shared/console-api/schemas.js';
import type { ConsoleErrorInfo, MessageRow, ScanProgress, ScanState } from '../../../shared/console-api/types.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { RawCluster } from '../kafka/raw-fetch.js';
import { collect, type Direction, type PartitionCursor } from '../messages/collect.js';
import type { DecodedRecord } from '../messages/decode-row.js';
import { compileFilter, type Filters } from '../messages/filters.js';
import type { Watermarks } from '../messages/read-window.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import { compileOpenedMatch, filterOpened, newOpenedTally, type OpenedFilter, type OpenedTally } from './opened-filter.js';

/** A scan's arguments, with the profile a recipient search runs as already chosen by the caller. */
export type ScanStartArgs = z.output<typeof scanStartArgs> & { profile: string };
export type ScanProgressArgs = z.output<typeof scanProgressArgs>;

export interface ScanDeps {
  cluster(): RawCluster;
  watermarks(topic: string): Promise<Watermarks>;
  /** The blind indexer for recipient search as `profile`. */
  blindIndex(profile: string): Promise<(address: string) => string>;
  /** Sees matches as they are found (the envelope cache keeps recent ones for detail and decrypt). */
  onMatches?(topic: string, records: DecodedRecord[]): void;
  /** The opener of `profile`, for scans with an opened-field filter. */
  opener(profile: string): Promise<EnvelopeOpener>;
  /** Told once per run of an opened-field scan (start or resume), for the audit trail: clear facts only. */
  onOpenedRun?(report: OpenedRunReport): void;
  /** Errors the scan did not expect, for main's log. */
  onUnexpected?(err: unknown): void;
  now?(): number;
}

/** What one run of an opened-field scan opened: counts and department names, never a value. */
export interface OpenedRunReport {
  topic: string;
  profile: string;
  state: ScanState;
  /** Records searched, matched and left locked during this run. */
  searched: number;
  matched: number;
  locked: number;
  /** Departments opened at least once so far. */
  opened: string[];
  /** The field searched (field = value), absent for a keyword; the keyword and value are never reported. */
  field?: string;
  error?: ConsoleErrorInfo;
}

interface Scan {
  id: string;
  topic: string;
  filters: Filters;
  /** The profile the recipient search runs as (the one given when it last started or resumed). */
  profile: string;
  direction: Direction;
  cursors: Map<number, PartitionCursor>;
  total: number;
  scanned: number;
  rows: MessageRow[];
  maxMatches: number;
  state: ScanState;
  elapsedMs: number;
  runStartedAt: number;
  cancelled: boolean;
  error?: ConsoleErrorInfo;
  finished?: Promise<void>;
  /** The opened-field filter (kept in memory only) and what it could search so far. */
  opened?: { match: (fields: Record<string, unknown>) => boolean; tally: OpenedTally; field?: string };
}

const RECORDS_PER_PARTITION_PER_ROUND = 20_000;
/** Opening sections is slower than reading: smaller rounds keep progress and cancel prompt. */
const RECORDS_PER_PARTITION_PER_OPENED_ROUND = 2_000;
const KEEP_SCANS = 16;

/**
 * Long searches over a topic, run in the background with a budget (records and time), a cap on the
 * matches kept, progress the renderer polls, cancel, and resume from where a scan stopped. Memory is
 * bounded by maxMatches rows per scan and KEEP_SCANS scans, whatever the size of the topic.
 */
export function createScanRegistry(deps: ScanDeps) {
  const now = deps.now ?? Date.now;
  const scans = new Map<string, Scan>();

  const get = (scanId: string): Scan => {
    const scan = scans.get(scanId);
    if (!scan) throw new SealpostError(CONSOLE_ERRORS.scanNotFound, 'That scan is gone (the console keeps the last 16). Start it again.', { status: 404 });
    return scan;
  };

  const progress = (scan: Scan, fromMatch = 0, maxRows = 2_000): ScanProgress => ({
    scanId: scan.id,
    topic: scan.topic,
    state: scan.state,
    scanned: scan.scanned,
    total: scan.total,
    matched: scan.rows.length,
    rows: scan.rows.slice(fromMatch, fromMatch + maxRows),
    fromMatch,
    elapsedMs: scan.elapsedMs + (scan.state === 'running' ? now() - scan.runStartedAt : 0),
    resumable: scan.state === 'budget' || scan.state === 'cancelled',
    ...(scan.error ? { error: scan.error } : {}),
    ...(scan.opened ? { opened: { searched: scan.opened.tally.searched, locked: scan.opened.tally.locked, lockedBy: { ...scan.opened.tally.lockedBy } } } : {}),
  });

  const run = async (scan: Scan, budget: ScanStartArgs['budget']): Promise<void> => {
    const deadline = now() + budget.maxMs;
    let stoppedOnTime = false;
    const before = scan.opened ? { searched: scan.opened.tally.searched, locked: scan.opened.tally.locked, matched: scan.rows.length } : null;
    try {
      const filter = compileFilter(scan.filters, scan.filters.recipient ? await deps.blindIndex(scan.profile) : null);
      const opened = scan.opened;
      const opener = opened ? await deps.opener(scan.profile) : null;
      const res = await collect(deps.cluster(), scan.topic, {
        direction: scan.direction,
        cursors: scan.cursors,
        perPartitionLimit: Number.MAX_SAFE_INTEGER,
        filter,
        budget: budget.maxRecords,
        chunk: opened ? RECORDS_PER_PARTITION_PER_OPENED_ROUND : RECORDS_PER_PARTITION_PER_ROUND,
        shouldStop: () => {
          if (scan.cancelled || scan.rows.length >= scan.maxMatches) return true;
          if (now() >= deadline) stoppedOnTime = true;
          return stoppedOnTime;
        },
        onRound: async (found, read) => {
          // Clear filters first; only their matches are opened, with the scan's profile.
          const matches = opened && opener ? await filterOpened(opener, found, opened.match, opened.tally) : found;
          scan.scanned += read;
          const room = scan.maxMatches - scan.rows.length;
          const kept = matches.slice(0, Math.max(0, room));
          for (const m of kept) scan.rows.push(m.row);
          if (kept.length) deps.onMatches?.(scan.topic, kept);
          if (matches.length > room) scan.state = 'capped';
        },
      });
      const finished = [...scan.cursors.values()].every((c) => (scan.direction === 'forward' ? c.pos >= c.bound : c.pos <= c.bound));
      if (scan.state === 'capped') return;
      if (scan.cancelled) scan.state = 'cancelled';
      else if (finished) scan.state = 'done';
      else if (res.budgetSpent || stoppedOnTime) scan.state = 'budget';
      else scan.state = 'done';
    } catch (err) {
      if (!(err instanceof SealpostError)) deps.onUnexpected?.(err);
      scan.state = 'failed';
      scan.error = toErrorInfo(err);
    } finally {
      scan.elapsedMs += now() - scan.runStartedAt;
      if (scan.opened && before) {
        const t = scan.opened.tally;
        deps.onOpenedRun?.({
          topic: scan.topic,
          profile: scan.profile,
          state: scan.state,
          searched: t.searched - before.searched,
          matched: scan.rows.length - before.matched,
          locked: t.locked - before.locked,
          opened: [...t.opened].sort(),
          ...(scan.opened.field ? { field: scan.opened.field } : {}),
          ...(scan.error ? { error: scan.error } : {}),
        });
      }
    }
  };

  const evict = (): void => {
    if (scans.size <= KEEP_SCANS) return;
    for (const [id, s] of scans) {
      if (s.state !== 'running') scans.delete(id);
      if (scans.size <= KEEP_SCANS) return;
    }
  };

  return {
    /** Starts a scan (or resumes one) and answers at once with its first progress. */
    async start(args: ScanStartArgs): Promise<ScanProgress> {
      let scan: Scan;
      if (args.resume) {
        scan = get(args.resume);
        if (scan.state !== 'budget' && scan.state !== 'cancelled') {
          throw new SealpostError(CONSOLE_ERRORS.scanNotResumable, `That scan is ${scan.state}; only a scan stopped by its budget or cancelled can resume.`, { status: 409 });
        }
        scan.cancelled = false;
        scan.profile = args.profile;
      } else {
        const wm = await deps.watermarks(args.topic);
        const direction: Direction = args.direction === 'oldest-first' ? 'forward' : 'backward';
        const cursors = new Map<number, PartitionCursor>();
        let total = 0;
        for (const [p, { low, high }] of wm) {
          if (args.filters.partitions?.length && !args.filters.partitions.includes(p)) continue;
          cursors.set(p, direction === 'forward' ? { pos: low, bound: high } : { pos: high, bound: low });
          total += high - low;
        }
        scan = {
          id: randomUUID(),
          topic: args.topic,
          filters: args.filters,
          profile: args.profile,
          direction,
          cursors,
          total,
          scanned: 0,
          rows: [],
          maxMatches: args.maxMatches,
          state: 'running',
          elapsedMs: 0,
          runStartedAt: now(),
          cancelled: false,
          ...(args.opened ? { opened: { match: compileOpenedMatch(args.opened as OpenedFilter), tally: newOpenedTally(), ...(args.opened.field ? { field: args.opened.field } : {}) } } : {}),
        };
        scans.set(scan.id, scan);
        evict();
      }
      scan.state = 'running';
      delete scan.error;
      scan.runStartedAt = now();
      scan.finished = run(scan, args.budget);
      return progress(scan, 0, 0);
    },

    /** Where a scan stands, with the matches from `fromMatch` on. */
    async progress(args: ScanProgressArgs): Promise<ScanProgress> {
      return progress(get(args.scanId), args.fromMatch, args.maxRows);
    },

    /** Asks a scan to stop after its current round; resolves once it stopped. */
    async cancel(args: { scanId: string }): Promise<ScanProgress> {
      const scan = get(args.scanId);
      scan.cancelled = true;
      await scan.finished;
      return progress(scan, 0, 0);
    },

    /** Stops every scan (disconnect, quit). */
    async cancelAll(): Promise<void> {
      for (const s of scans.values()) s.cancelled = true;
      await Promise.all([...scans.values()].map((s) => s.finished));
      scans.clear();
    },
  };
}

export type ScanRegistry = ReturnType<typeof createScanRegistry>;
