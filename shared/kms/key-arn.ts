/** The parts of a KMS key or alias ARN that decide where a key lives. */
export interface KmsArn {
  partition: string;
  region: string;
  accountId: string;
  /** `key` or `alias`. */
  resourceType: string;
  /** Key id (uuid or mrk-...) or alias name without `alias/`. */
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

/** Parses a KMS ARN; undefined for a bare key id or `alias/NAME` (those carry no account or region). */
export function parseKmsArn(id: string): KmsArn | undefined {
  const m = ARN.exec(id);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, accountId: m[3]!, resourceType: m[4]!, resource: m[5]! };
}

/** The region a key id names, if it names one. */
export function regionOfKeyId(id: string): string | undefined {
  return parseKmsArn(id)?.region;
}

/**
 * The discovery filter for readers: the partition and accounts of every listed key, or undefined when
 * one of them is not an ARN (then its account is unknown and filtering would lock its records).
 */
export function discoveryFilterFor(keyIds: readonly string[]): { partition: string; accountIDs: string[] } | undefined {
  if (keyIds.length === 0) return undefined;
  const arns = keyIds.map(parseKmsArn);
  if (arns.some((a) => !a)) return undefined;
  const partitions = new Set(arns.map((a) => a!.partition));
  if (partitions.size !== 1) return undefined;
  return { partition: [...partitions][0]!, accountIDs: [...new Set(arns.map((a) => a!.accountId))].sort() };
}
