import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Busy CPU time of each thread of a service run under `--cpu-prof`, in ms, by role. */
export type ThreadBusy = Record<'main' | 'expand' | 'sink' | 'writer' | 'other', number>;

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Which thread wrote a profile, from the entry module it ran (threads/worker-client.ts starts each worker from its own). */
function roleOf(urls: readonly string[]): keyof ThreadBusy {
  if (urls.some((u) => u.endsWith('/kafka/sink-worker.ts') || u.endsWith('/kafka/sink-worker.js'))) return 'sink';
  if (urls.some((u) => /\/expand(-worker)?\/worker-main\.[jt]s$/.test(u))) return 'expand';
  if (urls.some((u) => /\/journal\/writer-worker\.[jt]s$/.test(u))) return 'writer';
  if (urls.some((u) => /\/ingest-service\/src\/main\.[jt]s$/.test(u))) return 'main';
  return 'other';
}

/**
 * Sums, per thread role, the sampled time that was not idle (JavaScript, native calls, GC) in every
 * `.cpuprofile` of `dir` (`node --cpu-prof` writes one per thread at exit): steadier than rates on a
 * shared machine, and it says which thread a change saved time on. Several expand workers add up.
 */
export function threadBusyMs(dir: string): ThreadBusy {
  const busy: ThreadBusy = { main: 0, expand: 0, sink: 0, writer: 0, other: 0 };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    let us = 0;
    for (let i = 0; i < p.samples.length; i++) if (!idle.has(p.samples[i]!)) us += p.timeDeltas[i] ?? 0;
    busy[roleOf(p.nodes.map((n) => n.callFrame.url))] += us / 1000;
  }
  return busy;
}
