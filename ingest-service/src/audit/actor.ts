/** The non-personal facts of a caller ARN, safe to index and to write next to journal rows in clear. */
export interface ActorFacts {
  /** 12-digit AWS account, null for the local token. */
  account: string | null;
  /** assumed-role, user, root, federated-user, role, local, unknown. */
  kind: string;
  /** Role name of an assumed role (infrastructure, not a person); null otherwise. */
  role: string | null;
}

/** What GetCallerIdentity hands back for the local admin token. */
export const LOCAL_ACTOR = 'local-admin';

const ARN = /^arn:aws[a-z-]*:(?:sts|iam)::(\d{12}):(.+)$/;

/**
 * Splits a caller ARN into what may be kept in clear. The session name of an assumed role (often the
 * person's e-mail with SSO) and IAM user names are personal: they never leave this function.
 */
export function actorFacts(arn: string): ActorFacts {
  if (arn === LOCAL_ACTOR) return { account: null, kind: 'local', role: null };
  const m = ARN.exec(arn);
  if (!m) return { account: null, kind: 'unknown', role: null };
  const account = m[1]!;
  const resource = m[2]!;
  if (resource === 'root') return { account, kind: 'root', role: null };
  const [type, ...rest] = resource.split('/');
  if (type === 'assumed-role') return { account, kind: 'assumed-role', role: rest[0] ?? null };
  if (type === 'role') return { account, kind: 'role', role: rest[rest.length - 1] ?? null };
  if (type === 'user' || type === 'federated-user') return { account, kind: type, role: null };
  return { account, kind: 'unknown', role: null };
}

/**
 * A short label for "who" in journal rows (dead-letter tombstones, paused sources) and logs:
 * account, role and a keyed reference, never the session or user name.
 */
export function actorLabel(arn: string, ref: string): string {
  const f = actorFacts(arn);
  if (f.kind === 'local') return LOCAL_ACTOR;
  return `aws:${f.account ?? '?'}:${f.kind}${f.role ? `/${f.role}` : ''}#${ref.slice(0, 12)}`;
}
