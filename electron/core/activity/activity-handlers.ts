import type { AdminClient } from '../../../shared/aws-sign-in/index.js';
import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import type { TopicRead } from '../session/kafka-session.js';
import { openLinks } from './open-links.js';
import { readTimeline } from './timeline.js';

export type ActivityChannel = 'activity:overview' | 'activity:links' | 'activity:timeline';

/** Rows of each breakdown the page shows. */
const BREAKDOWN_ROWS = 20;

export interface ActivityHandlerDeps {
  /** One admin call on the named service (the service module's connector). */
  adminCall<T>(service: string, fn: (client: AdminClient) => Promise<T>): Promise<T>;
  opener(profile: string): Promise<EnvelopeOpener>;
  /** Reads the topic on the connected session (the recipient timeline). */
  read: TopicRead;
  /** The blind indexer as `profile` (Messages' recipient search uses the same). */
  blindIndex(profile: string): Promise<(address: string) => string>;
  /** The profile a timeline runs as (the one named, else the saved one, else local keys). */
  viewer(profile: string | undefined): string;
}

/**
 * The Activity page's channels. Counts are one round of four admin calls on the service the page names
 * (the service answers from counts, so this is as quick on millions of events as on ten); clicked links
 * are fetched sealed and opened here, in main, with the operator's identity; the timeline reads the topic.
 */
export function activityHandlers(deps: ActivityHandlerDeps): Pick<ConsoleHandlers, ActivityChannel> {
  return {
    'activity:overview': ({ service, step, ...range }) =>
      deps.adminCall(service, async (c) => {
        const totals = { ...range, limit: BREAKDOWN_ROWS };
        const [series, funnel, bounces, deferrals] = await Promise.all([
          c.activitySeries({ ...range, ...(step !== undefined ? { step } : {}) }),
          c.activityFunnel(totals),
          c.activityBounces(totals),
          c.activityDeferrals(totals),
        ]);
        return { series, funnel, bounces, deferrals };
      }),
    async 'activity:links'({ service, profile, ...query }) {
      const answer = await deps.adminCall(service, (c) => c.activityLinks(query));
      const opener = await deps.opener(profile);
      const [identity, links] = await Promise.all([opener.identity(), openLinks(answer.links, opener)]);
      return { identity, from: answer.from, to: answer.to, links };
    },
    'activity:timeline': (args) =>
      deps.read(
        (reader) => readTimeline({ ...reader, blindIndex: deps.blindIndex, opener: deps.opener }, { ...args, profile: deps.viewer(args.profile) }),
        args.topic,
      ),
  };
}
