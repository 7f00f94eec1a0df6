/**
 * What the console's Node side answers. Plain JSON (structured-clone safe), never a credential,
 * never a recipient address in clear: rows carry the blind index, and only decrypted sections
 * (requested per view, for one profile) hold personal values.
 */
import type { AccessMatrix } from '../access/access-matrix.js';
import type { LockReasonCode } from '../decrypt/types.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface ConnectResult {
  connection: string;
  clusterId: string;
  controller: number | null;
  brokers: BrokerInfo[];
  topicCount: number;
}

export interface TopicSummary {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Sum over partitions of high - low watermark (an upper bound when compacted or transactional). */
  records: number;
  internal: boolean;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  /** True when some replica is missing from the in-sync set. */
  underReplicated: boolean;
  low: string;
  high: string;
  records: number;
}

export interface TopicPartitions {
  topic: string;
  partitions: PartitionInfo[];
}

export interface GroupPartitionLag {
  partition: number;
  /** Committed offset, or null when the group has committed nothing for this partition. */
  committed: string | null;
  high: string;
  lag: number;
}

export interface GroupLag {
  groupId: string;
  state: string;
  members: number;
  totalLag: number;
  partitions: GroupPartitionLag[];
}

/** One Kafka record as a grid row: the clear part only, kept small so that 100,000 rows fit in a renderer. */
export interface MessageRow {
  /** "partition:offset" */
  id: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp, epoch ms. */
  timestamp: number;
  eventId: string;
  type: string;
  source: string;
  kind: string;
  /** Event time, epoch ms (NaN-free: falls back to the record timestamp). */
  time: number;
  policyVersion: number;
  /** Blind index of the recipient (not the address). */
  recipient: string | null;
  category: string | null;
  departments: string[];
  sizeBytes: number;
  /** Set when the value is not a Sealpost envelope: what is wrong with it. */
  problem?: string;
}

export interface Cursor {
  direction: 'forward' | 'backward';
  positions: Record<string, string>;
}

export interface MessageWindow {
  topic: string;
  rows: MessageRow[];
  /** Records read to produce the rows (more than rows.length when filters are on). */
  scanned: number;
  /** Where "load more" (or the next live-tail poll) continues. */
  cursor: Cursor;
  /** True when nothing is left in that direction (at the time of the read). */
  end: boolean;
  /** True when a filtered window stopped on its scan budget before filling up: offer a scan. */
  budgetSpent: boolean;
}

export type ScanState = 'running' | 'done' | 'budget' | 'cancelled' | 'capped' | 'failed';

export interface ScanProgress {
  scanId: string;
  topic: string;
  state: ScanState;
  scanned: number;
  /** Records in the scanned range when the scan started. */
  total: number;
  matched: number;
  /** Matches from `fromMatch` on (at most maxRows). */
  rows: MessageRow[];
  fromMatch: number;
  elapsedMs: number;
  /** True when `scan:start {resume}` can continue it. */
  resumable: boolean;
  error?: ConsoleErrorInfo;
  /** With an opened-field filter: what the identity could search. */
  opened?: OpenedScanFacts;
}

/** An opened-field scan's account of what it could not see, so a missing match is never mistaken for absence. */
export interface OpenedScanFacts {
  /** Records that passed the clear filters and had their sections opened and searched. */
  searched: number;
  /** Of those, records that did not match and had at least one section this identity could not open. */
  locked: number;
  /** Locked sections by reason (access_denied, no_local_key, sso_expired...), to say what to do. */
  lockedBy: Partial<Record<LockReasonCode, number>>;
}

export interface OpenSectionView {
  state: 'open';
  fields: Record<string, unknown>;
}
export interface LockedSectionView {
  state: 'locked';
  code: LockReasonCode;
  message: string;
  /** For `forgotten`: when the person was forgotten (ISO 8601), so the grid can say "forgotten on DATE". */
  forgottenAt?: string;
}
export type SectionView = OpenSectionView | LockedSectionView;

export interface DecryptedRow {
  id: string;
  /** Department -> opened fields or why it stays locked. */
  sections: Record<string, SectionView>;
}

export interface DecryptResult {
  profile: string;
  identity: string;
  rows: DecryptedRow[];
}

export interface MessageDetail {
  id: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  sizeBytes: number;
  /** The record value parsed as JSON (the envelope with its sealed sections, base64), or null. */
  envelope: Record<string, unknown> | null;
  /** Per sealed section: its size, so the pane can show what is there before decrypting. */
  sections: { department: string; bytes: number }[];
  problem?: string;
}

export interface ProfileInfo {
  /** Stable id used by decrypt and access:matrix: "local" (the local key folder) or "aws:NAME". */
  id: string;
  label: string;
  kind: 'local' | 'aws';
  /** How an AWS profile gets credentials (sso, assume-role, static...). */
  credentials?: string;
  /** For SSO profiles: the portal `aws sso login` opens. */
  ssoStartUrl?: string;
  region?: string;
}

/** Departments x fields for one profile, proved by real decrypts (see shared/access). */
export type AccessMatrixView = AccessMatrix;

export interface ExportResult {
  rows: number;
  bytes: number;
  fileName: string;
  /** Where the file was written (Electron), or the content itself (browser bridge). */
  savedTo?: string;
  content?: string;
}

export interface SavedConnectionView {
  name: string;
  brokers: string[];
  tls: { enabled: boolean; rejectUnauthorized: boolean; hasCa: boolean };
  auth: { kind: string; username?: string; profile?: string; region?: string; hasPassword: boolean };
}

/** Settings as the renderer sees them: no secret, only whether one is stored. */
export interface PublicSettings {
  connections: SavedConnectionView[];
  ingestUrl: string | null;
  profile: string | null;
  blindIndexKeyFile: string | null;
  localKeysDir: string | null;
  policyFile: string | null;
  /** The keys topic v2 sections are opened through now: the one set here, else the signed-in service's, else the default. */
  subjectKeysTopic: string;
  /** The keys topic set in Settings (an override); null: follow the signed-in service's (else the default). */
  subjectKeysTopicSet: string | null;
  /** Where subjectKeysTopic comes from: Settings, the first signed-in service with subject keys on, or the default. */
  subjectKeysTopicFrom: 'settings' | 'service' | 'default';
  /** The service it comes from (its server id, else its URL) when `subjectKeysTopicFrom` is `service`. */
  subjectKeysTopicService: string | null;
  theme: 'dark' | 'light';
  /** Whether the OS keychain encrypts saved passwords (Electron safeStorage). */
  secretsEncrypted: boolean;
}

/** An error the renderer can show as is: a stable code, a sentence that says what to do, and whether retrying helps. */
export interface ConsoleErrorInfo {
  code: string;
  message: string;
  retriable: boolean;
}

/** What crosses IPC / HTTP: errors travel as values, because Electron's contextBridge drops custom error fields. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ConsoleErrorInfo };
