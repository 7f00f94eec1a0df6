import { oldestEvictor } from '../../../shared/collections/oldest-evictor.js';

/** A Map that drops its least recently set key beyond `max` entries. */
export function boundedMap<V>(max: number) {
  const m = new Map<string, V>();
  const evictOldest = oldestEvictor(m);
  return {
    get: (key: string): V | undefined => m.get(key),
    set(key: string, v: V): void {
      m.delete(key);
      m.set(key, v);
      if (m.size > max) evictOldest();
    },
    delete: (key: string): boolean => m.delete(key),
    clear: (): void => m.clear(),
    size: (): number => m.size,
  };
}
