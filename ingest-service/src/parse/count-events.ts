import type { SourceKind } from '../../../shared/envelope/index.js';

/**
 * How many events a body holds, for the answer and the accepted metric. Only counts — the forwarder
 * does the real parse — so a body that does not parse counts as one (it becomes one dead letter).
 */
export function countEvents(kind: SourceKind, body: Buffer): number {
  if (kind === 'sns') return 1;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return Array.isArray(parsed) ? Math.max(parsed.length, 1) : 1;
  } catch {
    return 1;
  }
}
