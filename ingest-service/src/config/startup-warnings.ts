import { isLoopbackHost } from '../../../shared/net/index.js';
import type { Config } from './config-schema.js';

/** A setting that is allowed but weakens the service; logged once at start. */
export interface StartupWarning {
  message: string;
  fields: Record<string, unknown>;
}

/**
 * Settings an operator may choose but should see in the log every start, so that a test setting
 * left in production is noticed: a freshness check turned off (a captured request can then be
 * replayed once the dedupe window has passed), and /metrics open to everyone on a public listener.
 */
export function startupWarnings(config: Config): StartupWarning[] {
  const out: StartupWarning[] = [];
  for (const s of config.sources) {
    if (s.verify.maxAgeSeconds === 0) {
      out.push({
        message: 'freshness check off (verify.maxAgeSeconds: 0): a captured signed request stays valid forever; set it back (300 for SendGrid and events, 3600 for SNS)',
        fields: { source: s.id, setting: `sources.${s.id}.verify.maxAgeSeconds` },
      });
    }
  }
  if (config.metrics.listener === 'ingest' && !config.metrics.token && !isLoopbackHost(config.listen.host)) {
    out.push({
      message: '/metrics is served to anyone who reaches the ingest listener: set metrics.listener: admin or metrics.token',
      fields: { setting: 'metrics', listen: config.listen.host },
    });
  }
  return out;
}
