import { isUnknownTopicError, topicNotFound } from '../errors.js';

/** Drops the deleted topics from a kafkajs cluster's metadata targets; resolves to the topics the cluster has now. */
export type ForgetGoneTopics = () => Promise<ReadonlySet<string>>;

/**
 * Runs `call` on a kafkajs cluster (the admin client's or the raw one), and when the broker refuses it for an
 * unknown topic, forgets the deleted topics among the cluster's metadata targets, then either says at once that an
 * asked topic does not exist (SP_CONSOLE_TOPIC_NOT_FOUND, no retry) or runs `call` once more.
 *
 * Why: a kafkajs 2.2.4 cluster asks, at every metadata refresh, for every topic it was ever asked about, and never
 * drops one by itself (cluster/index.js, addMultipleTargetTopics). Once a topic the console had opened is deleted
 * (by another operator, a retention job), every refresh is refused with UNKNOWN_TOPIC_OR_PARTITION: the first ask
 * of any topic not opened before, group listings, resets all failed, named as "topic not found" for topics that
 * exist, until the console reconnected. The retry is unconditional when the asked topics exist: a call refused at
 * the same time as another may find the targets already pruned by it (nothing left to forget, yet the refusal was
 * a deletion's), and a refusal with no deletion behind it (a topic just created, not known to every broker yet)
 * deserves the one retry too. One more refusal is the caller's, mapped as usual.
 */
export async function recoverGoneTopics<T>(asked: readonly string[], call: () => Promise<T>, forgetGone: ForgetGoneTopics): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isUnknownTopicError(err)) throw err;
    let existing: ReadonlySet<string>;
    try {
      existing = await forgetGone();
    } catch {
      throw err; // the listing failed too (the broker went away): the refusal says more than the listing's error
    }
    const gone = asked.find((topic) => !existing.has(topic));
    if (gone !== undefined) throw topicNotFound(gone, err);
    return call();
  }
}
