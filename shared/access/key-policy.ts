/** One principal a key policy lets call kms:Decrypt (or denies it), with the statement's conditions. */
export interface KeyPolicyGrant {
  effect: 'Allow' | 'Deny';
  /** `arn:aws:iam::123456789012:role/x`, `arn:aws:iam::123456789012:root` (the account's IAM policies decide), `*`, or `service:NAME`. */
  principal: string;
  /** The statement's Condition block as written (e.g. kms:EncryptionContext:sealpost:department). */
  conditions?: Record<string, unknown>;
  /** The statement's Sid, to find it in the console. */
  sid?: string;
}

type Statement = {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Principal?: string | Record<string, string | string[]>;
  NotPrincipal?: unknown;
  Condition?: Record<string, unknown>;
};

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** IAM action matching: case-insensitive, `*` and `?` wildcards. */
function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(action);
}

function coversDecrypt(s: Statement): boolean {
  if (s.Action !== undefined) return list(s.Action).some((a) => actionMatches(a, 'kms:Decrypt'));
  if (s.NotAction !== undefined) return !list(s.NotAction).some((a) => actionMatches(a, 'kms:Decrypt'));
  return false;
}

function principalsOf(s: Statement): string[] {
  if (s.Principal === '*') return ['*'];
  if (!s.Principal || typeof s.Principal !== 'object') return s.NotPrincipal ? ['(NotPrincipal: everyone except those listed)'] : [];
  const out: string[] = [];
  for (const [kind, values] of Object.entries(s.Principal)) {
    for (const v of list(values)) {
      if (kind === 'AWS') out.push(/^\d{12}$/.test(v) ? `arn:aws:iam::${v}:root` : v);
      else out.push(`${kind.toLowerCase()}:${v}`);
    }
  }
  return out;
}

/**
 * Who a key policy lets decrypt: every principal of every statement whose action covers kms:Decrypt,
 * Allow and Deny, with its conditions. Why: the security reviewer's question is "who may read this
 * department", and the key policy is where KMS answers it; an account root principal means the
 * account's IAM policies decide in addition, which the matrix shows as such rather than guessing.
 */
export function decryptGrants(policyJson: string): KeyPolicyGrant[] {
  const doc = JSON.parse(policyJson) as { Statement?: Statement | Statement[] };
  const out: KeyPolicyGrant[] = [];
  for (const s of list(doc.Statement)) {
    if (!coversDecrypt(s)) continue;
    const effect = s.Effect === 'Deny' ? 'Deny' : 'Allow';
    for (const principal of principalsOf(s)) {
      out.push({ effect, principal, ...(s.Condition ? { conditions: s.Condition } : {}), ...(s.Sid ? { sid: s.Sid } : {}) });
    }
  }
  return out;
}
