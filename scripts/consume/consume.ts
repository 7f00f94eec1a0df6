// `npm run consume`: a department reads its own fields from the shared topic (see CONSUME_HELP, docs/consumers.md).
import { once } from 'node:events';
import { isSealpostError, SealpostError } from '../../shared/errors/index.js';
import {
  CONSUMER_ERRORS,
  createConsumerKeys,
  createDepartmentConsumer,
  eventLine,
  eventTable,
  verifyIdentity,
  type ConsumerKeysOptions,
  type ConsumerStats,
} from '../../shared/consumer/index.js';
import { CONSUME_HELP, parseConsumeArgs } from './consume-args.js';

const EXIT: Record<string, number> = {
  [CONSUMER_ERRORS.badOptions]: 2,
  [CONSUMER_ERRORS.kafkaUnavailable]: 3,
  [CONSUMER_ERRORS.noTopic]: 3,
  [CONSUMER_ERRORS.cannotAuthenticate]: 4,
  [CONSUMER_ERRORS.handlerFailed]: 5,
};
const say = (line: string): void => void process.stderr.write(`[consume] ${line}\n`);

function summary(s: Readonly<ConsumerStats>, department: string, seenDepartments: ReadonlySet<string>): string[] {
  const locked = Object.entries(s.locked).map(([r, n]) => `${r} ${n}`).join(', ');
  const lines = [`${s.events} events: ${s.opened} opened, ${s.noSection} without a ${department} section, ${Object.values(s.locked).reduce((a, b) => a + b, 0)} locked${locked ? ` (${locked})` : ''}; ${s.duplicates} duplicates dropped`];
  if (s.locked.forgotten) lines.push(`${s.locked.forgotten} records belong to forgotten people: their ${department} fields are shredded for good (docs/forget.md)`);
  if (s.locked.subject_key_missing) lines.push(`${s.locked.subject_key_missing} records need a subject key this reader does not hold: check --keys-topic and read access to it`);
  if (s.events > 0 && s.opened === 0 && Object.keys(s.locked).length === 0) {
    lines.push(`no event carried a ${department} section (departments seen: ${[...seenDepartments].sort().join(', ') || 'none'}): the policy grants ${department} nothing personal, or the name is misspelt`);
  }
  return lines;
}

async function main(): Promise<number> {
  const args = parseConsumeArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(CONSUME_HELP + '\n');
    return 0;
  }
  const keyOpts: ConsumerKeysOptions = {
    ...(args.profile ? { profile: args.profile } : {}),
    ...(args.keys ? { keysDir: args.keys } : {}),
    ...(args.accounts.length ? { accountIds: args.accounts } : {}),
    ...(args.region ? { region: args.region } : {}),
    ...(args.kmsEndpoint ? { kmsEndpoint: args.kmsEndpoint } : {}),
    ...(args.stsEndpoint ? { stsEndpoint: args.stsEndpoint } : {}),
  };
  say(args.keys ? `keys: local keys in ${args.keys}` : `keys: ${await verifyIdentity(keyOpts)} (${args.profile ? `profile ${args.profile}` : 'default AWS credentials'})`);
  const keys = createConsumerKeys(keyOpts);
  const seenDepartments = new Set<string>();
  let stdoutClosed = false;
  let outputFailed: NodeJS.ErrnoException | undefined;
  let lastProgress = Date.now();
  const consumer = createDepartmentConsumer({
    kafka: { brokers: args.brokers },
    topic: args.topic,
    department: args.department,
    keys,
    ...(args.keysTopic ? { keysTopic: args.keysTopic } : {}),
    ...(args.group ? { groupId: args.group } : {}),
    // A named group that has never committed starts at the earliest offset: it must not miss what is there.
    fromBeginning: args.fromBeginning || Boolean(args.group),
    untilEnd: args.untilEnd,
    async handle(event) {
      // Throwing leaves this event uncommitted; main() reads a closed stdout as a clean stop, not a failure.
      if (stdoutClosed || outputFailed) throw new Error('stdout was closed or failed');
      for (const d of Object.keys(event.envelope?.sections ?? {})) seenDepartments.add(d);
      const text = args.format === 'table' ? eventTable(event, args.department) : eventLine(event) + '\n';
      if (!process.stdout.write(text)) await once(process.stdout, 'drain'); // rejects on EPIPE: same clean stop
    },
    onProgress(s) {
      if (Date.now() - lastProgress < 1_000) return;
      lastProgress = Date.now();
      say(`${s.events} events (${s.opened} opened, ${s.noSection} without section, ${s.events - s.opened - s.noSection} locked, ${s.duplicates} duplicates)`);
    },
  });
  const stop = (): void => void consumer.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // EPIPE (e.g. `| head`): the reader wants no more. One outcome whatever the timing (during a write, while
  // waiting for 'drain', or between events): a clean stop, exit 0, committing only what was handed to stdout.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') stdoutClosed = true;
    else outputFailed ??= err;
    stop();
  });
  say(`reading ${args.topic} as ${args.department} (group ${consumer.groupId}${args.untilEnd ? ', until the end' : ''}) from ${args.brokers.join(',')}`);
  try {
    let s: Readonly<ConsumerStats>;
    try {
      s = await consumer.run();
    } catch (err) {
      if (!((stdoutClosed || outputFailed) && isSealpostError(err, CONSUMER_ERRORS.handlerFailed))) throw err;
      s = consumer.stats();
    }
    if (outputFailed) throw new SealpostError(CONSUMER_ERRORS.handlerFailed, `the output failed (${outputFailed.code ?? outputFailed.message}); what was printed is committed`, { cause: outputFailed });
    if (stdoutClosed) say('stdout was closed: stopped; what was printed is committed');
    for (const line of summary(s, args.department, seenDepartments)) say(line);
    return 0;
  } finally {
    await keys.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    say(`error: ${(err as Error)?.message ?? String(err)}`);
    process.exit(isSealpostError(err) ? (EXIT[err.code] ?? 1) : 1);
  },
);
