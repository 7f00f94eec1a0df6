import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { ReplayJob } from '../../../shared/admin-api/types.js';
import type { adminSchemas } from '../../../shared/admin-api/index.js';
import type { z } from 'zod';
import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { REPLAY_ERRORS } from './errors.js';
import { runReplay, type ReplayJobState } from './replay-job.js';
import { resolveRanges } from './resolve-ranges.js';

type ParsedReplayRequest = z.output<typeof adminSchemas.replayRequest>;

export interface ReplayManagerOptions {
  kafka: Kafka;
  log: LogLike;
  /** Create a missing target topic (with the source's partition count); else refuse. */
  createTopics: boolean;
  replicationFactor: number;
  maxRunning: number;
  keepFinished: number;
  now: () => number;
}

/** The contract's view of a job (offsets as strings, totals summed). */
export function replayView(j: ReplayJobState): ReplayJob {
  const partitions = j.partitions.map((p) => ({
    partition: p.partition,
    startOffset: String(p.start),
    endOffset: String(p.end),
    nextOffset: String(p.next),
    copied: p.copied,
    total: p.end - p.start,
  }));
  return {
    id: j.id,
    sourceTopic: j.sourceTopic,
    targetTopic: j.targetTopic,
    state: j.state,
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
    copied: partitions.reduce((n, p) => n + p.copied, 0),
    total: partitions.reduce((n, p) => n + p.total, 0),
    partitions,
    error: j.error,
  };
}

/**
 * Replay jobs: resolves a request into offset ranges, makes sure the target topic exists, and runs
 * at most `maxRunning` copies at a time. Jobs live in memory: a restart ends running copies (what
 * was copied stays copied, the view is lost); start a new job from the last `nextOffset` to resume.
 */
export function createReplayManager(opts: ReplayManagerOptions) {
  const jobs = new Map<string, { state: ReplayJobState; cancel: () => Promise<void>; settled: Promise<void> }>();
  const running = (): number => [...jobs.values()].filter((j) => j.state.state === 'running').length;
  const forget = (): void => {
    const finished = [...jobs.values()].filter((j) => j.state.state !== 'running').sort((a, b) => a.state.createdAt - b.state.createdAt);
    while (finished.length > opts.keepFinished) jobs.delete(finished.shift()!.state.id);
  };
  const mustGet = (id: string) => {
    const j = jobs.get(id);
    if (!j) throw new SealpostError(REPLAY_ERRORS.notFound, `no replay job ${id} (finished jobs are kept in memory, the last ${opts.keepFinished}, until a restart)`, { status: 404 });
    return j;
  };

  return {
    async start(req: ParsedReplayRequest): Promise<ReplayJob> {
      if (running() >= opts.maxRunning) {
        throw new SealpostError(REPLAY_ERRORS.tooMany, `${running()} replays are running (admin.replay.maxRunning); wait for one to finish or cancel one`, { status: 429, retriable: true });
      }
      const admin = opts.kafka.admin();
      let ranges;
      let samePartition = true;
      try {
        await admin.connect();
        ranges = await resolveRanges(admin, req.sourceTopic, req.ranges);
        const sourcePartitions = (await admin.fetchTopicOffsets(req.sourceTopic)).length;
        if (!(await admin.listTopics()).includes(req.targetTopic)) {
          if (!opts.createTopics) {
            throw new SealpostError(REPLAY_ERRORS.targetMissing, `target topic ${req.targetTopic} does not exist and kafka.createTopics is off; create it first`, { status: 404 });
          }
          await admin.createTopics({ waitForLeaders: true, topics: [{ topic: req.targetTopic, numPartitions: sourcePartitions, replicationFactor: opts.replicationFactor }] });
        }
        const targetPartitions = (await admin.fetchTopicOffsets(req.targetTopic)).length;
        samePartition = ranges.every((r) => r.partition < targetPartitions);
      } catch (err) {
        if (err instanceof SealpostError) throw err;
        throw new SealpostError(REPLAY_ERRORS.failed, `cannot prepare the replay: ${(err as Error).message}`, { cause: err, status: 503, retriable: true });
      } finally {
        await admin.disconnect().catch(() => {});
      }
      const state: ReplayJobState = {
        id: randomUUID(),
        sourceTopic: req.sourceTopic,
        targetTopic: req.targetTopic,
        state: 'running',
        createdAt: opts.now(),
        finishedAt: null,
        partitions: ranges.map((r) => ({ ...r, next: r.start, copied: 0 })),
        error: null,
        samePartition,
      };
      const run = runReplay({ kafka: opts.kafka, job: state, log: opts.log, now: opts.now, onSettled: forget });
      jobs.set(state.id, { state, cancel: run.cancel, settled: run.settled });
      opts.log.info({ replay: state.id, sourceTopic: state.sourceTopic, targetTopic: state.targetTopic, partitions: state.partitions.length }, 'replay started');
      return replayView(state);
    },
    get: (id: string): ReplayJob => replayView(mustGet(id).state),
    list: (): ReplayJob[] => [...jobs.values()].map((j) => replayView(j.state)).sort((a, b) => b.createdAt - a.createdAt),
    async cancel(id: string): Promise<ReplayJob> {
      const j = mustGet(id);
      if (j.state.state === 'running') await j.cancel();
      return replayView(j.state);
    },
    /** Cancels every running job and waits for their clients to disconnect. */
    async close(): Promise<void> {
      await Promise.all([...jobs.values()].map((j) => (j.state.state === 'running' ? j.cancel() : j.settled)));
    },
  };
}
export type ReplayManager = ReturnType<typeof createReplayManager>;
