import { parseArgs } from 'node:util';
import { SealpostError } from '../../shared/errors/index.js';
import { CONSUMER_ERRORS } from '../../shared/consumer/index.js';

/** `npm run consume -- --help`: kept beside the parser so the two cannot drift. */
export const CONSUME_HELP = `Reads a Sealpost topic as one department: one JSON line per event on stdout, progress and a summary on stderr.

Usage:
  npm run consume -- --brokers B --topic T --department D [--group G | --from-beginning] [--until-end]
                     [--profile P --account ID... | --keys DIR] [--keys-topic K] [--format jsonl|table]

  --brokers B          Kafka bootstrap brokers, comma-separated (host:port)
  --topic T            the topic the ingest service writes
  --department D       the department whose sections to open (e.g. support)
  --group G            consumer group: resume from its committed offsets; a new group starts at the earliest
                       offset (nothing already on the topic is missed). Offsets commit after each printed event
  --from-beginning     a fresh, throw-away group from the earliest offset (default without either: only new events)
  --until-end          stop once every partition it is assigned reached the end it had at start (default: keep tailing)
  --profile P          AWS profile whose KMS permissions open the department's sections (needs --account)
  --account ID         AWS account (12 digits) whose KMS keys may be asked; repeat for several. Required with KMS
                       keys (--profile, or the default credentials when neither --profile nor --keys is given):
                       a section sealed under a key of any other account is locked key_not_found, KMS not asked
  --keys DIR           folder of local department keys (NAME.key, mode 0600), as the ingest service writes them
  --keys-topic K       the compacted topic of subject keys (default sealpost.subject-keys): sections of v2 records
                       are sealed under a per-person key kept there, and open in two steps (docs/forget.md). It is
                       read from its beginning once a v2 record is met; a forgotten person's records print locked
                       "forgotten" (and reading goes on); a key not there locks "subject_key_missing"
  --format jsonl|table jsonl (default): one JSON object per line; table: as the seed's "DECRYPTED MESSAGE" lines
  --region R           default AWS region (default AWS_REGION, else us-east-1; a key is asked in its ARN's region)
  --kms-endpoint URL   KMS endpoint override (VPC endpoint)
  --sts-endpoint URL   STS endpoint override
  --help               this text

Each line: {"id","type","time","source","partition","offset","clear", then "fields" (opened; {} when the policy
grants the department nothing in that event) or "locked": {"reason","message"}}. Reasons and the shape:
docs/consumers.md. A record that cannot be opened is printed as locked and reading goes on.

Exit status: 0 read what was asked; 2 bad arguments; 3 cannot reach Kafka or the topic; 4 the AWS identity
cannot authenticate (no credentials, SSO expired); 5 the output failed. A closed stdout (e.g. \`| head\`) is a clean
stop: exit 0, and only what was handed to stdout is committed.`;

/** The CLI's options once validated: every problem is listed at once, as the service's config does. */
export interface ConsumeArgs {
  brokers: string[];
  topic: string;
  department: string;
  group?: string;
  fromBeginning: boolean;
  untilEnd: boolean;
  profile?: string;
  /** Accounts whose KMS keys may be asked (the discovery filter); required with KMS keys. */
  accounts: string[];
  keys?: string;
  /** The keys topic (subject keys, forget markers); default SUBJECT_KEYS_TOPIC. */
  keysTopic?: string;
  format: 'jsonl' | 'table';
  region?: string;
  kmsEndpoint?: string;
  stsEndpoint?: string;
  help: boolean;
}

/** Parses and checks argv; throws badOptions listing every problem. */
export function parseConsumeArgs(argv: string[]): ConsumeArgs {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        brokers: { type: 'string' },
        topic: { type: 'string' },
        department: { type: 'string' },
        group: { type: 'string' },
        'from-beginning': { type: 'boolean', default: false },
        'until-end': { type: 'boolean', default: false },
        profile: { type: 'string' },
        account: { type: 'string', multiple: true },
        keys: { type: 'string' },
        'keys-topic': { type: 'string' },
        format: { type: 'string', default: 'jsonl' },
        region: { type: 'string' },
        'kms-endpoint': { type: 'string' },
        'sts-endpoint': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new SealpostError(CONSUMER_ERRORS.badOptions, `${(err as Error).message}; see --help`);
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' && values[k] !== '' ? (values[k] as string) : undefined);
  const args: ConsumeArgs = {
    brokers: (str('brokers') ?? '').split(',').map((b) => b.trim()).filter(Boolean),
    topic: str('topic') ?? '',
    department: str('department') ?? '',
    fromBeginning: values['from-beginning'] === true,
    untilEnd: values['until-end'] === true,
    format: (str('format') ?? 'jsonl') as ConsumeArgs['format'],
    help: values.help === true,
    accounts: ((values.account as string[] | undefined) ?? []).map((a) => a.trim()).filter(Boolean),
    ...(str('group') ? { group: str('group') } : {}),
    ...(str('profile') ? { profile: str('profile') } : {}),
    ...(str('keys') ? { keys: str('keys') } : {}),
    ...(str('keys-topic') ? { keysTopic: str('keys-topic') } : {}),
    ...(str('region') ? { region: str('region') } : {}),
    ...(str('kms-endpoint') ? { kmsEndpoint: str('kms-endpoint') } : {}),
    ...(str('sts-endpoint') ? { stsEndpoint: str('sts-endpoint') } : {}),
  };
  if (args.help) return args;
  const problems: string[] = [];
  if (!args.brokers.length) problems.push('--brokers is required (host:port[,host:port])');
  if (!args.topic) problems.push('--topic is required');
  if (!args.department) problems.push('--department is required');
  if (args.group && args.fromBeginning) problems.push('give --group (resume from its offsets) or --from-beginning (a fresh group from the earliest offset), not both');
  if (args.profile && args.keys) problems.push('give --profile (KMS keys) or --keys (local key folder), not both');
  if (!args.keys && !args.accounts.length) {
    problems.push(`${args.profile ? '--profile' : 'KMS keys (the default AWS credentials)'} needs --account ID (the AWS account(s) whose KMS keys may be asked); without it a record sealed under anyone's key would be opened`);
  }
  if (args.keys && !args.profile && args.accounts.length) problems.push('--account applies to KMS keys (--profile), not to --keys');
  for (const a of args.accounts) if (!/^\d{12}$/.test(a)) problems.push(`--account must be a 12-digit AWS account id, not "${a}"`);
  if (args.keysTopic !== undefined && !/^[A-Za-z0-9._-]{1,249}$/.test(args.keysTopic)) problems.push(`--keys-topic must be a Kafka topic name, not "${args.keysTopic}"`);
  if (args.format !== 'jsonl' && args.format !== 'table') problems.push(`--format must be jsonl or table, not "${args.format}"`);
  if (problems.length) throw new SealpostError(CONSUMER_ERRORS.badOptions, `${problems.join('; ')}. See --help.`, { details: { problems } });
  return args;
}
