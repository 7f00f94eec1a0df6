import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { DecryptedRow, MessageDetail, MessageRow } from '../../../shared/console-api/types.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import type { RawRecord } from '../kafka/raw-fetch.js';
import type { KafkaCall, TopicRead } from '../session/kafka-session.js';
import { parseEnvelope } from './decode-row.js';
import { messageDetail } from './message-detail.js';
import { readWindow } from './read-window.js';
import { createRecordCache, rowGone } from './record-cache.js';

/** The channels of the Messages grid. */
export type MessageChannel = 'messages:window' | 'message:detail' | 'messages:decrypt';

export interface MessageDeps {
  kafkaCall: KafkaCall;
  read: TopicRead;
  /** The blind indexer for recipient search as `profile`. */
  blindIndex(profile: string): Promise<(address: string) => string>;
  /** The profile a search runs as (the one named, else the saved one, else local keys). */
  viewer(profile: string | undefined): string;
  /** The opener of `profile`, through the connection's keys topic. */
  opener(profile: string): Promise<EnvelopeOpener>;
}

/**
 * The Messages grid: windows of rows, a row's detail, and its sections opened as a profile. The raw
 * records of rows shown (windows and scan matches) are kept in a bounded cache, so a detail, a decrypt
 * or an export reads no topic again while they stay there.
 */
export function createMessageChannels(deps: MessageDeps) {
  const records = createRecordCache();
  /** Keeps the raw records of rows the renderer was sent. */
  const remember = (topic: string, list: { row: MessageRow; raw: RawRecord }[]): void => {
    for (const r of list) records.put(topic, r.row.id, r.raw);
  };
  const envelopesFor = async (topic: string, ids: readonly string[]): Promise<Map<string, RawRecord>> =>
    deps.kafkaCall((s) => records.get(s.cluster, topic, ids), topic);

  /** Opens rows as `profile`: the grid's decrypt, and exports that decrypt. */
  const decryptRows = async (topic: string, ids: readonly string[], profile: string): Promise<{ identity: string; rows: DecryptedRow[] }> => {
    const raws = await envelopesFor(topic, ids);
    const opener = await deps.opener(profile);
    const order: string[] = [];
    const envelopes: Envelope[] = [];
    for (const id of ids) {
      const raw = raws.get(id);
      const env = raw ? parseEnvelope(raw.value).envelope : null;
      if (env) {
        order.push(id);
        envelopes.push(env);
      }
    }
    const [identity, opened] = await Promise.all([opener.identity(), envelopes.length ? opener.open(envelopes) : Promise.resolve([])]);
    return { identity, rows: opened.map((o, i) => ({ id: order[i]!, sections: o.sections })) };
  };

  const handlers: Pick<ConsoleHandlers, MessageChannel> = {
    async 'messages:window'(args) {
      const { window, records: page } = await deps.read(
        (reader) => readWindow({ ...reader, blindIndex: deps.blindIndex }, { ...args, profile: deps.viewer(args.profile) }),
        args.topic,
      );
      remember(args.topic, page);
      return window;
    },

    async 'message:detail'({ topic, id }): Promise<MessageDetail> {
      const raw = (await envelopesFor(topic, [id])).get(id);
      if (!raw) throw rowGone(id);
      return messageDetail(id, raw);
    },

    async 'messages:decrypt'({ topic, ids, profile }) {
      const { identity, rows } = await decryptRows(topic, ids, profile);
      return { profile, identity, rows };
    },
  };

  return { handlers, remember, envelopesFor, decryptRows, clear: (): void => records.clear() };
}
