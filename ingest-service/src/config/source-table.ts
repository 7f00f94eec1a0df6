import type { SourceKind } from '../../../shared/envelope/index.js';
import { internalSources } from '../audit/audit-source.js';
import type { Config } from './config-schema.js';
import { topicFor } from './load-config.js';

/** A source the service journals: a configured one, or one it feeds itself (the audit trail). */
export interface KnownSource {
  id: string;
  kind: SourceKind;
  topic: string;
  /** True for the service's own sources (no ingest route). */
  internal: boolean;
}

/**
 * Every source of a config with its topic, worked out once here so that the forwarder's topics, the
 * expander's lookup and the admin API's listing cannot disagree. Throws what auditSourceFor throws
 * (an audit source id taken, or no policy rule for it), so a bad config fails at start.
 */
export function sourceTable(config: Config): readonly KnownSource[] {
  return Object.freeze([
    ...config.sources.map((s) => ({ id: s.id, kind: s.kind as SourceKind, topic: topicFor(s), internal: false })),
    ...internalSources(config).map((s) => ({ ...s, internal: true })),
  ]);
}
