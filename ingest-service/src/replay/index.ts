export { createReplayManager, replayView, type ReplayManager, type ReplayManagerOptions } from './replay-manager.js';
export { resolveRanges, type PartitionRange } from './resolve-ranges.js';
export { runReplay, type ReplayJobState } from './replay-job.js';
export { REPLAY_ERRORS, REPLAYED_FROM_HEADER } from './errors.js';
