/**
 * Group commit: submissions that arrive within `delayMs` of the first one (or in the same tick when
 * delayMs is 0) are committed together, so one fsync makes a whole group durable. While a group is
 * being committed, newcomers wait and go together as the next group as soon as it is done: under
 * load, groups grow instead of queueing fsyncs. Every submission's promise settles only after its
 * group's commit resolved (resolve) or failed (reject), never before.
 */
export interface GroupCommitter<T> {
  submit(item: T): Promise<void>;
  /** Resolves once everything submitted so far is committed (or failed). */
  drain(): Promise<void>;
  queued(): number;
}

export function createGroupCommitter<T>(opts: { delayMs: number; commit(items: T[]): Promise<void> }): GroupCommitter<T> {
  type Waiter = { item: T; resolve: () => void; reject: (e: unknown) => void };
  let queue: Waiter[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let inFlight: Promise<void> | undefined;

  const clearTimer = (): void => {
    if (timer === undefined) return;
    if (opts.delayMs > 0) clearTimeout(timer as NodeJS.Timeout);
    else clearImmediate(timer as NodeJS.Immediate);
    timer = undefined;
  };

  const flush = (): void => {
    clearTimer();
    if (inFlight || queue.length === 0) return;
    const group = queue;
    queue = [];
    inFlight = opts
      .commit(group.map((w) => w.item))
      .then(
        () => group.forEach((w) => w.resolve()),
        (err: unknown) => group.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        inFlight = undefined;
        if (queue.length) flush();
      });
  };

  return {
    submit(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (timer === undefined && !inFlight) timer = opts.delayMs > 0 ? setTimeout(flush, opts.delayMs) : setImmediate(flush);
      });
    },
    async drain() {
      flush();
      while (inFlight) {
        await inFlight;
        flush();
      }
    },
    queued: () => queue.length,
  };
}
