import type { Admin, Kafka, RetryOptions } from 'kafkajs';
import { recoverGoneTopics } from './gone-topics.js';
import { unsafeForgetGoneTopics, unsafeAdmin } from './raw-fetch.js';

/** The admin client's calls that ask the broker (`on`, `logger` and `events` answer at once). */
type AdminCall = Exclude<keyof Admin, 'on' | 'logger' | 'events'>;

/**
 * The topics a call asks about, which must exist: refused for an unknown topic, a call naming one deleted is answered
 * "topic not found" at once instead of asked again. Calls not listed here (groups, createTopics) name none that must.
 */
const ASKED: { [K in AdminCall]?: (...args: Parameters<Admin[K]>) => readonly string[] } = {
  fetchTopicOffsets: (topic) => [topic],
  fetchTopicOffsetsByTimestamp: (topic) => [topic],
  fetchTopicMetadata: (options) => options?.topics ?? [],
  fetchOffsets: (options) => options.topics ?? [],
  setOffsets: (options) => [options.topic],
  resetOffsets: (options) => [options.topic],
  deleteTopicRecords: (options) => [options.topic],
};

/**
 * The console's admin client: kafkajs's, over a cluster the console holds, each call recovering once from the
 * refusal a deleted topic causes (recoverGoneTopics). Why: the admin client keeps every topic it was asked about as
 * a metadata target, so once a topic the console had opened (partitions, lag, a read window, a reset) was deleted,
 * every later call asking a topic not asked before, and every group listing, failed until the console reconnected.
 * Every call is covered, not only those the console makes today: nearly all of kafkajs's refresh the targets.
 */
export function createConsoleAdmin(kafka: Kafka, retry: RetryOptions): Admin {
  const { admin, cluster } = unsafeAdmin(kafka, retry);
  const forgetGone = async (): Promise<ReadonlySet<string>> => (await unsafeForgetGoneTopics(cluster)).existing;
  const healed: Record<string, unknown> = { ...admin };
  for (const [name, fn] of Object.entries(admin) as [string, unknown][]) {
    if (typeof fn !== 'function' || name === 'on' || name === 'logger') continue;
    const call = fn as (...args: unknown[]) => Promise<unknown>;
    const asked = ASKED[name as AdminCall] as ((...args: unknown[]) => readonly string[]) | undefined;
    healed[name] = (...args: unknown[]) => recoverGoneTopics(asked?.(...args) ?? [], () => call(...args), forgetGone);
  }
  return healed as Admin;
}
