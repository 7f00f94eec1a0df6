// A throwaway worker for worker-client.test.ts, built on the real serveWorker: echoes, crashes, or never answers.
import { serveWorker } from '../../../ingest-service/src/threads/serve-worker.js';

/** What the test asks the probe thread to do. */
export type ProbeRequest = { op: 'echo'; value: string } | { op: 'crash' } | { op: 'hang' };

serveWorker({
  init: () => ({}),
  handle(_state, req: ProbeRequest): string | Promise<string> {
    if (req.op === 'echo') return req.value;
    if (req.op === 'crash') {
      // An uncaught exception on the thread's loop: the client sees 'error', then 'exit' on a later tick.
      setImmediate(() => {
        throw new Error('probe crashed');
      });
      return new Promise<string>(() => {});
    }
    return new Promise<string>(() => {}); // hang: never answered, like a send stuck in flight at close
  },
});
