export type { Expand, ExpandEntry, ExpandedDeadLetter, ExpandedRecord, ExpandResult, ExpandStats } from './contract.js';
export { createEnvelopeBuilder, type EnvelopeBuilder, type EnvelopeBuilderDeps } from './build-envelopes.js';
export { createExpander, SOURCE_REMOVED, type ExpanderDeps } from './expander.js';
export { startWorkerExpander, type WorkerExpander } from './worker-expander.js';
