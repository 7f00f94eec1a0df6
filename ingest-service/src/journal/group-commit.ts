/**
 * Group commit: submissions that arrive within `delayMs` of the first one (or in the same tick when
 * delayMs is 0) are handed to `commit` together, so one fsync makes a whole group durable. Every
 * submission's promise settles only after its group's commit returned (resolve) or threw (reject,
 * with `mapError` applied), never before.
 */
export interface GroupCommitter<T> {
  submit(item: T): Promise<void>;
  /** Commits what is queued now, synchronously (used by close()). */
  flush(): void;
  queued(): number;
}

export function createGroupCommitter<T>(opts: {
  delayMs: number;
  commit(items: T[]): void;
  mapError(err: unknown): unknown;
}): GroupCommitter<T> {
  let queue: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  const flush = (): void => {
    if (timer !== undefined) {
      if (opts.delayMs > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      timer = undefined;
    }
    if (queue.length === 0) return;
    const group = queue;
    queue = [];
    try {
      opts.commit(group.map((q) => q.item));
    } catch (err) {
      const mapped = opts.mapError(err);
      for (const q of group) q.reject(mapped);
      return;
    }
    for (const q of group) q.resolve();
  };

  return {
    submit(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (timer === undefined) timer = opts.delayMs > 0 ? setTimeout(flush, opts.delayMs) : setImmediate(flush);
      });
    },
    flush,
    queued: () => queue.length,
  };
}
